// Fault rules (/_emulator/faults) as the JS clients see them: the AWS SDK for JavaScript v3
// retries an injected TooManyRequestsException (standard retry mode, 3 attempts), and Amplify JS
// v6 `confirmSignIn` surfaces an injected InternalErrorException on the MFA step by its name,
// then succeeds once the rule is spent. Every rule names this test's client: the node suites run
// in parallel against one emulator.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, signIn, signOut } from 'aws-amplify/auth';
import { base, call } from './emulator.mjs';

const PASSWORD = 'Passw0rd!';
// The SDK wants credentials even for unsigned operations; any will do.
const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

async function addRule(rule) {
  const resp = await fetch(`${base}/_emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rule),
  });
  assert.equal(resp.status, 201, await resp.clone().text());
  return resp.json();
}

async function ruleState(id) {
  const { faults } = await (await fetch(`${base}/_emulator/faults`)).json();
  return faults.find((r) => r.id === id);
}

async function removeRule(id) {
  await fetch(`${base}/_emulator/faults/${id}`, { method: 'DELETE' });
}

async function poolWithUser(username, attributes = {}) {
  const poolId = (await call('CreateUserPool', { PoolName: `faults-${randomUUID().slice(0, 8)}` })).UserPool.Id;
  const clientId = (
    await call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'faults',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    })
  ).UserPoolClient.ClientId;
  await call('AdminCreateUser', {
    UserPoolId: poolId,
    Username: username,
    MessageAction: 'SUPPRESS',
    TemporaryPassword: PASSWORD,
    UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
  });
  await call('AdminSetUserPassword', { UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true });
  return { poolId, clientId };
}

test('SDK v3 standard retries an injected TooManyRequestsException and succeeds on the third attempt', async () => {
  const p = await poolWithUser('alice');
  const rule = await addRule({
    operation: 'InitiateAuth',
    clientId: p.clientId,
    error: { type: 'TooManyRequestsException' },
    count: 2,
  });
  const added = [rule.id];
  try {
    const sdk = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: base, credentials: CREDENTIALS, maxAttempts: 3 });
    const out = await sdk.send(
      new InitiateAuthCommand({
        ClientId: p.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'alice', PASSWORD },
      }),
    );
    assert.equal(out.$metadata.attempts, 3);
    assert.ok(out.AuthenticationResult.AccessToken);
    const state = await ruleState(rule.id);
    assert.deepEqual([state.hits, state.remaining], [2, 0]);

    // With one attempt the caller sees the exception as Cognito writes it.
    const second = await addRule({
      operation: 'InitiateAuth',
      clientId: p.clientId,
      error: { type: 'TooManyRequestsException' },
      count: 1,
    });
    added.push(second.id);
    const once = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: base, credentials: CREDENTIALS, maxAttempts: 1 });
    await assert.rejects(
      once.send(
        new InitiateAuthCommand({
          ClientId: p.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'alice', PASSWORD },
        }),
      ),
      (err) => {
        assert.equal(err.name, 'TooManyRequestsException');
        assert.equal(err.message, 'Rate exceeded');
        assert.equal(err.$metadata.httpStatusCode, 400);
        return true;
      },
    );
  } finally {
    for (const id of added) await removeRule(id);
  }
});

test('Amplify v6 confirmSignIn surfaces an injected InternalErrorException on the MFA step, then succeeds', async () => {
  const p = await poolWithUser('erin', { email: 'erin@example.com', email_verified: 'true' });
  await call('SetUserPoolMfaConfig', { UserPoolId: p.poolId, MfaConfiguration: 'ON', EmailMfaConfiguration: {} });
  await call('AdminSetUserMFAPreference', {
    UserPoolId: p.poolId,
    Username: 'erin',
    EmailMfaSettings: { Enabled: true, PreferredMfa: true },
  });
  Amplify.configure({ Auth: { Cognito: { userPoolId: p.poolId, userPoolClientId: p.clientId, userPoolEndpoint: base } } });
  const first = await signIn({ username: 'erin', password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  assert.equal(first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  const q = new URLSearchParams({ userPoolId: p.poolId, username: 'erin', purpose: 'MFA' });
  const { messages } = await (await fetch(`${base}/_emulator/messages?${q}`)).json();
  const code = messages[messages.length - 1].code;

  // Amplify retries a 500 up to three attempts (@aws-amplify/core retry middleware): a rule of
  // three hits makes every attempt fail, so the error reaches the app.
  const rule = await addRule({
    operation: 'RespondToAuthChallenge',
    clientId: p.clientId,
    username: 'erin@example.com',
    error: { type: 'InternalErrorException' },
    count: 3,
  });
  try {
    await assert.rejects(confirmSignIn({ challengeResponse: code }), (err) => {
      assert.equal(err.name, 'InternalErrorException');
      assert.equal(err.message, 'Internal server error.');
      return true;
    });
    const state = await ruleState(rule.id);
    assert.deepEqual([state.hits, state.remaining], [3, 0]);
    // The rule is spent and the session untouched: the same code now signs in.
    assert.deepEqual(await confirmSignIn({ challengeResponse: code }), {
      isSignedIn: true,
      nextStep: { signInStep: 'DONE' },
    });
    await signOut();
  } finally {
    await removeRule(rule.id);
  }
});
