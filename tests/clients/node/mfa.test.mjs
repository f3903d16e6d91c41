// MFA through the JS clients: Amplify JS v6 `signIn` / `confirmSignIn` reaching every MFA step and
// driven to DONE with both USER_SRP_AUTH and USER_PASSWORD_AUTH, and amazon-cognito-identity-js's
// callbacks (newPasswordRequired, mfaRequired, totpRequired, selectMFAType, mfaSetup). SMS and
// email codes come from the emulator's outbox; TOTP codes are computed (RFC 6238) at the emulator
// clock's time, which no test here moves (SRP signs with the machine's clock).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import {
  confirmSignIn,
  fetchMFAPreference,
  getCurrentUser,
  setUpTOTP,
  signIn,
  signOut,
  updateMFAPreference,
  verifyTOTPSetup,
} from 'aws-amplify/auth';
import { base, call } from './emulator.mjs';

const PASSWORD = 'Passw0rd!';
const NEW_PASSWORD = 'N3w-Passw0rd!';
const PHONE = '+12065551234';
const FLOWS = ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH'];

// --- TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s) -------------------------------------------------

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function totpAtStep(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = h[19] & 0x0f;
  const n = ((h[offset] & 0x7f) << 24) | (h[offset + 1] << 16) | (h[offset + 2] << 8) | h[offset + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

async function emulatorStep() {
  const { now } = await (await fetch(`${base}/_emulator/clock`)).json();
  return Math.floor(Date.parse(now.replace(/\.\d+/, '')) / 1000 / 30);
}

// A code is accepted once: each use takes the next unused step within the ±1 window.
const lastStep = new Map();
async function nextTotp(secret) {
  const current = await emulatorStep();
  const step = Math.max(current, (lastStep.get(secret) ?? -Infinity) + 1);
  assert.ok(step <= current + 1, 'no unused TOTP step left in the window');
  lastStep.set(secret, step);
  return totpAtStep(secret, step);
}

// --- emulator setup ----------------------------------------------------------------------------

/** A pool with the MFA level and factors given, and a public client allowing SRP and passwords. */
async function pool(level, factors) {
  const poolId = (await call('CreateUserPool', { PoolName: `mfa-${randomUUID().slice(0, 8)}` })).UserPool.Id;
  const clientId = (
    await call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'mfa',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    })
  ).UserPoolClient.ClientId;
  const cfg = {
    UserPoolId: poolId,
    MfaConfiguration: level,
    SoftwareTokenMfaConfiguration: { Enabled: factors.includes('TOTP') },
  };
  if (factors.includes('SMS')) cfg.SmsMfaConfiguration = { SmsAuthenticationMessage: 'Your code is {####}' };
  if (factors.includes('EMAIL')) cfg.EmailMfaConfiguration = {};
  await call('SetUserPoolMfaConfig', cfg);
  return { poolId, clientId };
}

async function user(p, username, attributes, permanent = true) {
  await call('AdminCreateUser', {
    UserPoolId: p.poolId,
    Username: username,
    MessageAction: 'SUPPRESS',
    TemporaryPassword: PASSWORD,
    UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
  });
  if (permanent) {
    await call('AdminSetUserPassword', { UserPoolId: p.poolId, Username: username, Password: PASSWORD, Permanent: true });
  }
}

async function prefer(p, username, settings) {
  await call('AdminSetUserMFAPreference', { UserPoolId: p.poolId, Username: username, ...settings });
}

/** The newest MFA code sent to `username` in pool `p`. */
async function mfaCode(p, username) {
  const q = new URLSearchParams({ userPoolId: p.poolId, username, purpose: 'MFA' });
  const { messages } = await (await fetch(`${base}/_emulator/messages?${q}`)).json();
  assert.ok(messages.length > 0, `an MFA message for ${username}`);
  return messages[messages.length - 1].code;
}

function configure(p) {
  Amplify.configure({ Auth: { Cognito: { userPoolId: p.poolId, userPoolClientId: p.clientId, userPoolEndpoint: base } } });
}

const DONE = { isSignedIn: true, nextStep: { signInStep: 'DONE' } };

async function signedInAs(username) {
  assert.equal((await getCurrentUser()).username, username);
  await signOut();
}

// --- Amplify JS v6 ------------------------------------------------------------------------------

for (const authFlowType of FLOWS) {
  const opts = { authFlowType };

  test(`Amplify v6 (${authFlowType}): new password, then TOTP setup, then the TOTP code`, async () => {
    const p = await pool('ON', ['TOTP']);
    await user(p, 'alice', { email: 'alice@example.com' }, false);
    configure(p);
    const first = await signIn({ username: 'alice', password: PASSWORD, options: opts });
    assert.equal(first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
    const setup = await confirmSignIn({ challengeResponse: NEW_PASSWORD });
    assert.equal(setup.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
    const secret = setup.nextStep.totpSetupDetails.sharedSecret;
    assert.match(secret, /^[A-Z2-7]{52}$/);
    assert.match(setup.nextStep.totpSetupDetails.getSetupUri('app').href, /^otpauth:\/\/totp\/app:alice\?secret=/);
    // A wrong code is Cognito's error, and the setup can be retried.
    await assert.rejects(confirmSignIn({ challengeResponse: '000000' }), (err) => {
      assert.equal(err.name, 'EnableSoftwareTokenMFAException');
      assert.equal(err.message, 'Code mismatch and fail enable Software Token MFA');
      return true;
    });
    assert.deepEqual(await confirmSignIn({ challengeResponse: await nextTotp(secret) }), DONE);
    await signedInAs('alice');

    const totp = await signIn({ username: 'alice', password: NEW_PASSWORD, options: opts });
    assert.equal(totp.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    assert.deepEqual(await confirmSignIn({ challengeResponse: await nextTotp(secret) }), DONE);
    await signedInAs('alice');
  });

  test(`Amplify v6 (${authFlowType}): SMS and email codes from the outbox`, async () => {
    const p = await pool('OPTIONAL', ['SMS', 'EMAIL']);
    await user(p, 'sam', { email: 'sam@example.com', phone_number: PHONE });
    await prefer(p, 'sam', { SMSMfaSettings: { Enabled: true, PreferredMfa: true } });
    await user(p, 'erin', { email: 'erin@example.com', email_verified: 'true' });
    await prefer(p, 'erin', { EmailMfaSettings: { Enabled: true } });
    configure(p);

    const sms = await signIn({ username: 'sam', password: PASSWORD, options: opts });
    assert.deepEqual(sms.nextStep, {
      signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE',
      codeDeliveryDetails: { deliveryMedium: 'SMS', destination: '+*******1234' },
    });
    await assert.rejects(confirmSignIn({ challengeResponse: '000000' }), (err) => {
      assert.equal(err.name, 'CodeMismatchException');
      assert.equal(err.message, 'Invalid code or auth state for the user.');
      return true;
    });
    assert.deepEqual(await confirmSignIn({ challengeResponse: await mfaCode(p, 'sam') }), DONE);
    await signedInAs('sam');

    const email = await signIn({ username: 'erin', password: PASSWORD, options: opts });
    assert.deepEqual(email.nextStep, {
      signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'e***@e***' },
    });
    assert.deepEqual(await confirmSignIn({ challengeResponse: await mfaCode(p, 'erin') }), DONE);
    await signedInAs('erin');
  });

  test(`Amplify v6 (${authFlowType}): MFA selection and MFA setup selection`, async () => {
    const p = await pool('OPTIONAL', ['SMS', 'TOTP', 'EMAIL']);
    await user(p, 'mia', { email: 'mia@example.com', phone_number: PHONE });
    await prefer(p, 'mia', { SMSMfaSettings: { Enabled: true }, EmailMfaSettings: { Enabled: true } });
    configure(p);
    const choose = await signIn({ username: 'mia', password: PASSWORD, options: opts });
    assert.deepEqual(choose.nextStep, {
      signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION',
      allowedMFATypes: ['SMS', 'EMAIL'],
    });
    const code = await confirmSignIn({ challengeResponse: 'EMAIL' });
    assert.equal(code.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    assert.deepEqual(await confirmSignIn({ challengeResponse: await mfaCode(p, 'mia') }), DONE);
    await signedInAs('mia');

    const q = await pool('ON', ['TOTP', 'EMAIL']);
    await user(q, 'noah', {});
    configure(q);
    const select = await signIn({ username: 'noah', password: PASSWORD, options: opts });
    assert.deepEqual(select.nextStep, {
      signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION',
      allowedMFATypes: ['TOTP', 'EMAIL'],
    });
    const emailSetup = await confirmSignIn({ challengeResponse: 'EMAIL' });
    assert.equal(emailSetup.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_EMAIL_SETUP');
    const otp = await confirmSignIn({ challengeResponse: 'noah@example.com' });
    assert.deepEqual(otp.nextStep, {
      signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'n***@e***' },
    });
    assert.deepEqual(await confirmSignIn({ challengeResponse: await mfaCode(q, 'noah') }), DONE);
    await signedInAs('noah');
    const u = await call('AdminGetUser', { UserPoolId: q.poolId, Username: 'noah' });
    assert.deepEqual(u.UserMFASettingList, ['EMAIL_OTP']);

    // The other branch of the selection: TOTP.
    await user(q, 'olga', {});
    const select2 = await signIn({ username: 'olga', password: PASSWORD, options: opts });
    assert.equal(select2.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION');
    const totpSetup = await confirmSignIn({ challengeResponse: 'TOTP' });
    assert.equal(totpSetup.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
    const secret = totpSetup.nextStep.totpSetupDetails.sharedSecret;
    assert.deepEqual(await confirmSignIn({ challengeResponse: await nextTotp(secret) }), DONE);
    await signedInAs('olga');
  });
}

test('Amplify v6: a signed-in user sets up TOTP, prefers it, signs in with it and turns it off', async () => {
  const p = await pool('OPTIONAL', ['SMS', 'TOTP']);
  await user(p, 'tia', { email: 'tia@example.com' });
  configure(p);
  assert.deepEqual(await signIn({ username: 'tia', password: PASSWORD }), DONE);
  const details = await setUpTOTP();
  const secret = details.sharedSecret;
  await verifyTOTPSetup({ code: await nextTotp(secret), options: { friendlyDeviceName: 'tia phone' } });
  // Verified is not enabled yet.
  assert.deepEqual(await fetchMFAPreference(), { preferred: undefined, enabled: undefined });
  await updateMFAPreference({ totp: 'PREFERRED' });
  assert.deepEqual(await fetchMFAPreference(), { preferred: 'TOTP', enabled: ['TOTP'] });
  await signOut();

  const next = await signIn({ username: 'tia', password: PASSWORD });
  assert.equal(next.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
  assert.deepEqual(await confirmSignIn({ challengeResponse: await nextTotp(secret) }), DONE);
  await updateMFAPreference({ totp: 'DISABLED' });
  assert.deepEqual(await fetchMFAPreference(), { preferred: undefined, enabled: undefined });
  await signOut();
  assert.deepEqual(await signIn({ username: 'tia', password: PASSWORD }), DONE);
  await signOut();
});

// --- amazon-cognito-identity-js -----------------------------------------------------------------

/**
 * authenticateUser, answering each challenge with `answers[callbackName](user, ...args)`; resolves
 * with the session and the names of the callbacks that ran, in order.
 */
function acijSignIn(p, username, password, answers) {
  const cognitoPool = new CognitoUserPool({ UserPoolId: p.poolId, ClientId: p.clientId, endpoint: `${base}/` });
  const u = new CognitoUser({ Username: username, Pool: cognitoPool });
  const seen = [];
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (session) => resolve({ session, seen, user: u }),
      onFailure: reject,
    };
    for (const name of ['newPasswordRequired', 'mfaRequired', 'totpRequired', 'selectMFAType', 'mfaSetup']) {
      callbacks[name] = (...args) => {
        seen.push({ name, args });
        Promise.resolve(answers[name](u, callbacks, ...args)).catch(reject);
      };
    }
    u.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), callbacks);
  });
}

test('amazon-cognito-identity-js: newPasswordRequired, mfaSetup, then totpRequired', async () => {
  const p = await pool('ON', ['TOTP']);
  await user(p, 'alice', { email: 'alice@example.com' }, false);
  let secret;
  const first = await acijSignIn(p, 'alice', PASSWORD, {
    newPasswordRequired: (u, cb, userAttributes, requiredAttributes) => {
      assert.deepEqual(requiredAttributes, []);
      delete userAttributes.email_verified;
      delete userAttributes.email;
      u.completeNewPasswordChallenge(NEW_PASSWORD, userAttributes, cb);
    },
    mfaSetup: (u, cb, challengeName, challengeParameters) => {
      assert.equal(challengeName, 'MFA_SETUP');
      assert.equal(challengeParameters.MFAS_CAN_SETUP, '["SOFTWARE_TOKEN_MFA"]');
      u.associateSoftwareToken({
        associateSecretCode: async (code) => {
          secret = code;
          u.verifySoftwareToken(await nextTotp(secret), 'acij device', cb);
        },
        onFailure: cb.onFailure,
      });
    },
  });
  assert.deepEqual(first.seen.map((s) => s.name), ['newPasswordRequired', 'mfaSetup']);
  assert.equal(first.session.getIdToken().decodePayload()['cognito:username'], 'alice');

  const second = await acijSignIn(p, 'alice', NEW_PASSWORD, {
    totpRequired: async (u, cb, challengeName, challengeParameters) => {
      assert.equal(challengeName, 'SOFTWARE_TOKEN_MFA');
      assert.equal(challengeParameters.FRIENDLY_DEVICE_NAME, 'acij device');
      u.sendMFACode(await nextTotp(secret), cb, 'SOFTWARE_TOKEN_MFA');
    },
  });
  assert.deepEqual(second.seen.map((s) => s.name), ['totpRequired']);
  assert.ok(second.session.isValid());
});

test('amazon-cognito-identity-js: mfaRequired (SMS), selectMFAType and setUserMfaPreference', async () => {
  const p = await pool('OPTIONAL', ['SMS', 'TOTP']);
  await user(p, 'sam', { phone_number: PHONE });
  await prefer(p, 'sam', { SMSMfaSettings: { Enabled: true } });
  const sms = await acijSignIn(p, 'sam', PASSWORD, {
    mfaRequired: async (u, cb, challengeName, challengeParameters) => {
      assert.equal(challengeName, 'SMS_MFA');
      assert.equal(challengeParameters.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
      assert.equal(challengeParameters.CODE_DELIVERY_DESTINATION, '+*******1234');
      u.sendMFACode(await mfaCode(p, 'sam'), cb);
    },
  });
  assert.deepEqual(sms.seen.map((s) => s.name), ['mfaRequired']);

  // Signed in: a software token with the access token, then both factors on and none preferred.
  const signedIn = sms.user;
  const secret = await new Promise((resolve, reject) =>
    signedIn.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }),
  );
  await new Promise(async (resolve, reject) =>
    signedIn.verifySoftwareToken(await nextTotp(secret), 'phone', { onSuccess: resolve, onFailure: reject }),
  );
  await new Promise((resolve, reject) =>
    signedIn.setUserMfaPreference(null, { Enabled: true, PreferredMfa: false }, (err, r) => (err ? reject(err) : resolve(r))),
  );

  for (const answer of ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']) {
    const chosen = await acijSignIn(p, 'sam', PASSWORD, {
      selectMFAType: (u, cb, challengeName, challengeParameters) => {
        assert.equal(challengeName, 'SELECT_MFA_TYPE');
        assert.equal(challengeParameters.MFAS_CAN_CHOOSE, '["SMS_MFA","SOFTWARE_TOKEN_MFA"]');
        u.sendMFASelectionAnswer(answer, cb);
      },
      mfaRequired: async (u, cb) => u.sendMFACode(await mfaCode(p, 'sam'), cb),
      totpRequired: async (u, cb) => u.sendMFACode(await nextTotp(secret), cb, 'SOFTWARE_TOKEN_MFA'),
    });
    assert.deepEqual(
      chosen.seen.map((s) => s.name),
      ['selectMFAType', answer === 'SMS_MFA' ? 'mfaRequired' : 'totpRequired'],
    );
  }

  // A wrong SMS code reaches onFailure with Cognito's error.
  await assert.rejects(
    acijSignIn(p, 'sam', PASSWORD, {
      selectMFAType: (u, cb) => u.sendMFASelectionAnswer('SMS_MFA', cb),
      mfaRequired: (u, cb) => u.sendMFACode('000000', cb),
    }),
    (err) => {
      assert.equal(err.code, 'CodeMismatchException');
      assert.equal(err.message, 'Invalid code or auth state for the user.');
      return true;
    },
  );
});
