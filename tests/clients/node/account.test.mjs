// Account lifecycle through the JS clients: Amplify JS v6 `resetPassword` / `confirmResetPassword`,
// `updatePassword`, `updateUserAttributes` + `confirmUserAttribute`, and the RESET_PASSWORD step
// of `signIn` after AdminResetUserPassword; amazon-cognito-identity-js `forgotPassword` /
// `confirmPassword` and `changePassword`. Codes come from the emulator's outbox. Run by
// tests/clients/run.sh, or `COGNITO_EMULATOR_URL=... node --test` with an emulator running.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import {
  confirmResetPassword,
  confirmUserAttribute,
  fetchUserAttributes,
  resetPassword,
  signIn,
  signOut,
  updatePassword,
  updateUserAttributes,
} from 'aws-amplify/auth';
import { base, call } from './emulator.mjs';

const PASSWORD = 'Passw0rd!';
const NEW_PASSWORD = 'N3w-Passw0rd!';

/** A pool (email alias, email auto-verified, `extra` members), a public client, confirmed users. */
async function setup(users, extra = {}) {
  const poolId = (
    await call('CreateUserPool', {
      PoolName: `account-${randomUUID().slice(0, 8)}`,
      AliasAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      ...extra,
    })
  ).UserPool.Id;
  const clientId = (
    await call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'account',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    })
  ).UserPoolClient.ClientId;
  for (const username of users) {
    await call('AdminCreateUser', {
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      TemporaryPassword: PASSWORD,
      UserAttributes: [
        { Name: 'email', Value: `${username}@example.com` },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    await call('AdminSetUserPassword', { UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true });
  }
  return { poolId, clientId };
}

/** The newest code the outbox holds for `username` in `poolId` with `purpose`. */
async function lastCode(poolId, username, purpose) {
  const q = new URLSearchParams({ userPoolId: poolId, username, purpose });
  const resp = await fetch(`${base}/_emulator/messages?${q}`);
  const { messages } = await resp.json();
  const withCode = messages.filter((m) => m.code);
  assert.ok(withCode.length > 0, `no ${purpose} code for ${username}`);
  return withCode[withCode.length - 1];
}

function configure(s) {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: s.poolId, userPoolClientId: s.clientId, userPoolEndpoint: base } },
  });
}

function authenticate(pool, username, password) {
  const user = new CognitoUser({ Username: username, Pool: pool });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: () => resolve(user),
      onFailure: reject,
    });
  });
}

test('Amplify v6 resetPassword and confirmResetPassword set a new password', async () => {
  const s = await setup(['alice']);
  configure(s);
  const out = await resetPassword({ username: 'alice' });
  assert.deepEqual(out, {
    isPasswordReset: false,
    nextStep: {
      resetPasswordStep: 'CONFIRM_RESET_PASSWORD_WITH_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'a***@e***', attributeName: 'email' },
    },
  });
  const message = await lastCode(s.poolId, 'alice', 'FORGOT_PASSWORD');
  assert.equal(message.destination, 'alice@example.com');

  await assert.rejects(
    confirmResetPassword({ username: 'alice', confirmationCode: message.code === '000000' ? '111111' : '000000', newPassword: NEW_PASSWORD }),
    (err) => {
      assert.equal(err.name, 'CodeMismatchException');
      assert.equal(err.message, 'Invalid verification code provided, please try again.');
      return true;
    },
  );
  await confirmResetPassword({ username: 'alice', confirmationCode: message.code, newPassword: NEW_PASSWORD });
  await assert.rejects(
    confirmResetPassword({ username: 'alice', confirmationCode: message.code, newPassword: 'An0ther-Passw0rd!' }),
    (err) => {
      assert.equal(err.name, 'ExpiredCodeException');
      assert.equal(err.message, 'Invalid code provided, please request a code again.');
      return true;
    },
  );
  const done = await signIn({ username: 'alice', password: NEW_PASSWORD });
  assert.equal(done.nextStep.signInStep, 'DONE');
  await signOut();
});

test('Amplify v6 signIn after AdminResetUserPassword asks for RESET_PASSWORD', async () => {
  const s = await setup(['bob']);
  configure(s);
  await call('AdminResetUserPassword', { UserPoolId: s.poolId, Username: 'bob' });
  const next = await signIn({ username: 'bob', password: PASSWORD });
  assert.deepEqual(next, { isSignedIn: false, nextStep: { signInStep: 'RESET_PASSWORD' } });
  // The application then runs the reset with the code AdminResetUserPassword sent.
  const { code } = await lastCode(s.poolId, 'bob', 'FORGOT_PASSWORD');
  await confirmResetPassword({ username: 'bob', confirmationCode: code, newPassword: NEW_PASSWORD });
  const done = await signIn({ username: 'bob', password: NEW_PASSWORD });
  assert.equal(done.nextStep.signInStep, 'DONE');
  await signOut();
});

test('Amplify v6 updatePassword checks the old password', async () => {
  const s = await setup(['carol']);
  configure(s);
  await signIn({ username: 'carol', password: PASSWORD });
  await assert.rejects(updatePassword({ oldPassword: 'Wr0ng-passw0rd!', newPassword: NEW_PASSWORD }), (err) => {
    assert.equal(err.name, 'NotAuthorizedException');
    assert.equal(err.message, 'Incorrect username or password.');
    return true;
  });
  await updatePassword({ oldPassword: PASSWORD, newPassword: NEW_PASSWORD });
  await signOut();
  await assert.rejects(signIn({ username: 'carol', password: PASSWORD }), { name: 'NotAuthorizedException' });
  assert.equal((await signIn({ username: 'carol', password: NEW_PASSWORD })).nextStep.signInStep, 'DONE');
  await signOut();
});

test('Amplify v6 updateUserAttributes and confirmUserAttribute, with the old email kept until verified', async () => {
  const s = await setup(['dave'], {
    UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
  });
  configure(s);
  await signIn({ username: 'dave', password: PASSWORD });
  const out = await updateUserAttributes({ userAttributes: { email: 'dave.new@example.com', name: 'Dave' } });
  assert.deepEqual(out.name, { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } });
  assert.deepEqual(out.email, {
    isUpdated: false,
    nextStep: {
      updateAttributeStep: 'CONFIRM_ATTRIBUTE_WITH_CODE',
      codeDeliveryDetails: { attributeName: 'email', deliveryMedium: 'EMAIL', destination: 'd***@e***' },
    },
  });
  let attrs = await fetchUserAttributes();
  assert.equal(attrs.email, 'dave@example.com');
  assert.equal(attrs.email_verified, 'true');
  assert.equal(attrs.name, 'Dave');

  const message = await lastCode(s.poolId, 'dave', 'VERIFY_ATTRIBUTE');
  assert.equal(message.destination, 'dave.new@example.com');
  await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: message.code });
  attrs = await fetchUserAttributes();
  assert.equal(attrs.email, 'dave.new@example.com');
  assert.equal(attrs.email_verified, 'true');
  await signOut();
  // The verified new address is the alias now.
  assert.equal((await signIn({ username: 'dave.new@example.com', password: PASSWORD })).nextStep.signInStep, 'DONE');
  await signOut();
});

test('amazon-cognito-identity-js forgotPassword and confirmPassword', async () => {
  const s = await setup(['erin']);
  const pool = new CognitoUserPool({ UserPoolId: s.poolId, ClientId: s.clientId, endpoint: `${base}/` });
  const user = new CognitoUser({ Username: 'erin', Pool: pool });
  const delivery = await new Promise((resolve, reject) => {
    user.forgotPassword({ onSuccess: resolve, onFailure: reject, inputVerificationCode: resolve });
  });
  assert.deepEqual(delivery.CodeDeliveryDetails, {
    Destination: 'e***@e***',
    DeliveryMedium: 'EMAIL',
    AttributeName: 'email',
  });
  const { code } = await lastCode(s.poolId, 'erin', 'FORGOT_PASSWORD');
  await assert.rejects(
    new Promise((resolve, reject) => user.confirmPassword(code, 'weak', { onSuccess: resolve, onFailure: reject })),
    (err) => {
      assert.equal(err.code, 'InvalidPasswordException');
      assert.equal(err.message, 'Password does not conform to policy: Password not long enough');
      return true;
    },
  );
  await new Promise((resolve, reject) => user.confirmPassword(code, NEW_PASSWORD, { onSuccess: resolve, onFailure: reject }));
  const signedIn = await authenticate(pool, 'erin', NEW_PASSWORD);
  assert.ok(signedIn.getSignInUserSession().isValid());
});

test('amazon-cognito-identity-js changePassword', async () => {
  const s = await setup(['frank']);
  const pool = new CognitoUserPool({ UserPoolId: s.poolId, ClientId: s.clientId, endpoint: `${base}/` });
  const user = await authenticate(pool, 'frank', PASSWORD);
  const change = (oldPassword, newPassword) =>
    new Promise((resolve, reject) => user.changePassword(oldPassword, newPassword, (err, res) => (err ? reject(err) : resolve(res))));
  await assert.rejects(change('Wr0ng-passw0rd!', NEW_PASSWORD), (err) => {
    assert.equal(err.code, 'NotAuthorizedException');
    assert.equal(err.message, 'Incorrect username or password.');
    return true;
  });
  assert.equal(await change(PASSWORD, NEW_PASSWORD), 'SUCCESS');
  await assert.rejects(authenticate(pool, 'frank', PASSWORD), { code: 'NotAuthorizedException' });
  await authenticate(pool, 'frank', NEW_PASSWORD);
});
