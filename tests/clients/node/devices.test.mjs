// Remembered devices through the JS clients, in a pool that requires SMS MFA and lets a remembered
// device replace it (ChallengeRequiredOnNewDevice, remembered on the user's prompt):
// - Amplify JS v6: signIn + SMS code, ConfirmDevice on its own, rememberDevice, fetchDevices, then
//   a sign-in that runs DEVICE_SRP_AUTH inside signIn and reaches DONE with no MFA prompt, a
//   refresh bound to the device (GetTokensFromRefreshToken with DeviceKey), forgetDevice.
// - amazon-cognito-identity-js: authenticateUser + sendMFACode, setDeviceStatusRemembered,
//   listDevices, authenticateUser again with the cached device key (DEVICE_SRP_AUTH, no
//   mfaRequired), refreshSession with DEVICE_KEY, forgetDevice.
// SRP signs with the machine's clock, so no test moves the emulator clock.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import {
  confirmSignIn,
  fetchAuthSession,
  fetchDevices,
  forgetDevice,
  rememberDevice,
  signIn,
  signOut,
} from 'aws-amplify/auth';
import { base, call } from './emulator.mjs';

// Amplify names the device from navigator.userAgent; in plain Node that throws and Amplify
// silently skips ConfirmDevice (amplify-js `getNewDeviceMetadata.ts`), so give it one.
globalThis.navigator ??= { userAgent: 'node-test-harness' };

const PASSWORD = 'Passw0rd!';

/** The pool, a public client allowing SRP, and alice with a phone number. */
async function setup() {
  const poolId = (
    await call('CreateUserPool', {
      PoolName: `devices-${randomUUID().slice(0, 8)}`,
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
    })
  ).UserPool.Id;
  await call('SetUserPoolMfaConfig', {
    UserPoolId: poolId,
    MfaConfiguration: 'ON',
    SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your code is {####}' },
  });
  const clientId = (
    await call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'devices',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    })
  ).UserPoolClient.ClientId;
  await call('AdminCreateUser', {
    UserPoolId: poolId,
    Username: 'alice',
    MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'phone_number', Value: '+12065551234' }],
  });
  await call('AdminSetUserPassword', { UserPoolId: poolId, Username: 'alice', Password: PASSWORD, Permanent: true });
  return { poolId, clientId };
}

async function mfaMessages(s) {
  const q = new URLSearchParams({ userPoolId: s.poolId, username: 'alice', purpose: 'MFA' });
  return (await (await fetch(`${base}/_emulator/messages?${q}`)).json()).messages;
}

async function lastCode(s) {
  const messages = await mfaMessages(s);
  assert.ok(messages.length > 0, 'an MFA code in the outbox');
  return messages[messages.length - 1].code;
}

async function adminDevices(s) {
  return (await call('AdminListDevices', { UserPoolId: s.poolId, Username: 'alice' })).Devices;
}

function payload(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

test('Amplify v6 rememberDevice, then a sign-in through DEVICE_SRP_AUTH with no MFA prompt', async () => {
  const s = await setup();
  Amplify.configure({ Auth: { Cognito: { userPoolId: s.poolId, userPoolClientId: s.clientId, userPoolEndpoint: base } } });

  const first = await signIn({ username: 'alice', password: PASSWORD });
  assert.equal(first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_SMS_CODE');
  const done = await confirmSignIn({ challengeResponse: await lastCode(s) });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });

  // Amplify confirmed the device by itself, named after navigator.userAgent; not remembered yet.
  const tracked = await adminDevices(s);
  assert.equal(tracked.length, 1);
  const key = tracked[0].DeviceKey;
  const attrs = Object.fromEntries(tracked[0].DeviceAttributes.map((a) => [a.Name, a.Value]));
  assert.equal(attrs.device_name, 'node-test-harness');
  assert.equal(attrs['dev:device_remembered_status'], 'not_remembered');
  assert.deepEqual(await fetchDevices(), []);

  await rememberDevice();
  const devices = await fetchDevices();
  assert.deepEqual(
    devices.map((d) => [d.id, d.name]),
    [[key, 'node-test-harness']],
  );

  await signOut();
  const sent = (await mfaMessages(s)).length;
  const again = await signIn({ username: 'alice', password: PASSWORD });
  assert.deepEqual(again, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assert.equal((await mfaMessages(s)).length, sent, 'no MFA code was sent');
  const session = await fetchAuthSession();
  assert.equal(session.tokens.accessToken.payload.device_key, key);

  // The refresh carries the device key (GetTokensFromRefreshToken{DeviceKey}); without it
  // Cognito would answer "Invalid Refresh Token.".
  const refreshed = await fetchAuthSession({ forceRefresh: true });
  assert.equal(refreshed.tokens.accessToken.payload.device_key, key);
  assert.notEqual(refreshed.tokens.accessToken.toString(), session.tokens.accessToken.toString());

  await forgetDevice();
  assert.deepEqual(await adminDevices(s), []);
  await signOut();
});

/** authenticateUser as a promise; MFA is answered from the outbox when asked. */
function authenticate(pool, s, events) {
  const user = new CognitoUser({ Username: 'alice', Pool: pool });
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (session, userConfirmationNecessary) => resolve({ user, session, userConfirmationNecessary }),
      onFailure: reject,
      mfaRequired: () => {
        events.push('mfaRequired');
        lastCode(s).then((code) => user.sendMFACode(code, callbacks), reject);
      },
    };
    user.authenticateUser(new AuthenticationDetails({ Username: 'alice', Password: PASSWORD }), callbacks);
  });
}

function promised(fn) {
  return new Promise((resolve, reject) => fn({ onSuccess: resolve, onFailure: reject }));
}

test('amazon-cognito-identity-js signs in with the cached device key through DEVICE_SRP_AUTH', async () => {
  const s = await setup();
  const pool = new CognitoUserPool({ UserPoolId: s.poolId, ClientId: s.clientId, endpoint: `${base}/` });

  const events = [];
  const first = await authenticate(pool, s, events);
  assert.deepEqual(events, ['mfaRequired']);
  assert.equal(first.userConfirmationNecessary, true);
  const key = first.session.getAccessToken().decodePayload().device_key;
  assert.match(key, /^us-east-1_[0-9a-f-]{36}$/);

  await promised((cb) => first.user.setDeviceStatusRemembered(cb));
  const listed = await new Promise((resolve, reject) =>
    first.user.listDevices(10, null, { onSuccess: resolve, onFailure: reject }),
  );
  assert.deepEqual(
    listed.Devices.map((d) => d.DeviceKey),
    [key],
  );

  // A new CognitoUser finds the device key the SDK cached and proves the device instead of MFA.
  const second = await authenticate(pool, s, events);
  assert.deepEqual(events, ['mfaRequired'], 'no MFA the second time');
  assert.equal(second.session.getAccessToken().decodePayload().device_key, key);

  // refreshSession sends the cached DEVICE_KEY with REFRESH_TOKEN_AUTH.
  const refreshed = await new Promise((resolve, reject) =>
    second.user.refreshSession(second.session.getRefreshToken(), (err, session) => (err ? reject(err) : resolve(session))),
  );
  assert.equal(payload(refreshed.getAccessToken().getJwtToken()).device_key, key);

  await promised((cb) => second.user.forgetDevice(cb));
  assert.deepEqual(await adminDevices(s), []);
});
