// USER_SRP_AUTH through the JS clients that use it by default: amazon-cognito-identity-js
// `authenticateUser` and Amplify JS v6 `signIn` (default flow, plain Node 20, configured with
// `userPoolEndpoint` as the README's "Pointing clients at the emulator" shows). Both compute the
// real SRP maths and sign the TIMESTAMP with the test machine's clock, so no test here moves the
// emulator clock. Run by tests/clients/run.sh, or `COGNITO_EMULATOR_URL=... node --test` with an
// emulator running.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, fetchAuthSession, getCurrentUser, signIn, signOut } from 'aws-amplify/auth';
import { base, call } from './emulator.mjs';

const PASSWORD = 'Passw0rd!';
const NEW_PASSWORD = 'N3w-Passw0rd!';

/** A pool (email as an alias), a public client allowing SRP, and confirmed users. */
async function setup(users) {
  const poolId = (
    await call('CreateUserPool', { PoolName: `srp-${randomUUID().slice(0, 8)}`, AliasAttributes: ['email'] })
  ).UserPool.Id;
  const clientId = (
    await call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'srp',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    })
  ).UserPoolClient.ClientId;
  for (const [username, permanent] of users) {
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
    if (permanent) {
      await call('AdminSetUserPassword', { UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true });
    }
  }
  return { poolId, clientId };
}

function payload(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

/** authenticateUser as a promise: resolves with the session, rejects with the error. */
function authenticate(pool, username, password) {
  const user = new CognitoUser({ Username: username, Pool: pool });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: (userAttributes) => reject(Object.assign(new Error('newPasswordRequired'), { userAttributes })),
    });
  });
}

test('amazon-cognito-identity-js authenticateUser signs in with SRP', async () => {
  const s = await setup([['alice', true]]);
  const pool = new CognitoUserPool({ UserPoolId: s.poolId, ClientId: s.clientId, endpoint: `${base}/` });
  const session = await authenticate(pool, 'alice', PASSWORD);
  assert.equal(session.isValid(), true);
  assert.equal(session.getIdToken().decodePayload()['cognito:username'], 'alice');
  assert.equal(session.getAccessToken().decodePayload().client_id, s.clientId);
  assert.ok(session.getRefreshToken().getToken());

  // Typed as the email alias: the SDK switches to USER_ID_FOR_SRP for the maths.
  const byAlias = await authenticate(pool, 'alice@example.com', PASSWORD);
  assert.equal(byAlias.getIdToken().decodePayload()['cognito:username'], 'alice');
});

test('amazon-cognito-identity-js authenticateUser with a wrong password gets Cognito\'s error', async () => {
  const s = await setup([['alice', true]]);
  const pool = new CognitoUserPool({ UserPoolId: s.poolId, ClientId: s.clientId, endpoint: `${base}/` });
  await assert.rejects(authenticate(pool, 'alice', 'Wr0ng-password!'), (err) => {
    assert.equal(err.code, 'NotAuthorizedException');
    assert.equal(err.name, 'NotAuthorizedException');
    assert.equal(err.message, 'Incorrect username or password.');
    return true;
  });
});

test('Amplify v6 signIn with its default flow (USER_SRP_AUTH) reaches DONE', async () => {
  const s = await setup([
    ['alice', true],
    ['bob', false],
  ]);
  Amplify.configure({
    Auth: { Cognito: { userPoolId: s.poolId, userPoolClientId: s.clientId, userPoolEndpoint: base } },
  });

  // A wrong password first: the error Amplify surfaces is Cognito's, unchanged.
  await assert.rejects(signIn({ username: 'alice', password: 'Wr0ng-password!' }), (err) => {
    assert.equal(err.name, 'NotAuthorizedException');
    assert.equal(err.message, 'Incorrect username or password.');
    return true;
  });

  const done = await signIn({ username: 'alice', password: PASSWORD });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  const current = await getCurrentUser();
  assert.equal(current.username, 'alice');
  assert.equal(current.signInDetails.authFlowType, 'USER_SRP_AUTH');
  const { tokens } = await fetchAuthSession();
  assert.equal(payload(tokens.idToken.toString())['cognito:username'], 'alice');
  await signOut();

  // A temporary password: NEW_PASSWORD_REQUIRED after the SRP step, then DONE.
  const next = await signIn({ username: 'bob', password: PASSWORD });
  assert.equal(next.isSignedIn, false);
  assert.equal(next.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
  const confirmed = await confirmSignIn({ challengeResponse: NEW_PASSWORD });
  assert.deepEqual(confirmed, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assert.equal((await getCurrentUser()).username, 'bob');
  await signOut();

  const again = await signIn({ username: 'bob', password: NEW_PASSWORD });
  assert.equal(again.nextStep.signInStep, 'DONE');
  await signOut();
});
