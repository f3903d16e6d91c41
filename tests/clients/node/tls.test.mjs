// HTTPS (`--tls-port`) with the emulator's own CA as the trust root: the AWS SDK for JavaScript v3
// with an https.Agent that trusts the CA, a client that does not trust it (the handshake fails),
// and, in a child process started with NODE_EXTRA_CA_CERTS as the README's Node recipe says,
// Amplify JS v6 signIn with SRP and NEW_PASSWORD_REQUIRED, GetUser, and aws-jwt-verify fetching
// the JWKS over https with its own fetcher.
//
// tests/clients/run.sh starts the emulator with --tls-port and exports COGNITO_EMULATOR_TLS_URL
// and COGNITO_EMULATOR_CA.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import {
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListUserPoolsCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';

const tlsUrl = (process.env.COGNITO_EMULATOR_TLS_URL ?? '').replace(/\/$/, '');
const caFile = process.env.COGNITO_EMULATOR_CA ?? '';
const skip = !tlsUrl || !caFile ? 'needs the emulator started with --tls-port (tests/clients/run.sh)' : false;
const PASSWORD = 'Passw0rd!';

function sdk(options = {}) {
  return new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: tlsUrl,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
    ...options,
  });
}

function payload(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

async function poolAndClient(client) {
  const poolId = (await client.send(new CreateUserPoolCommand({ PoolName: `tls-${randomUUID().slice(0, 8)}` })))
    .UserPool.Id;
  const clientId = (
    await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'tls',
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    )
  ).UserPoolClient.ClientId;
  return { poolId, clientId };
}

test('SDK v3 over https with an agent that trusts the CA: SignUp, sign-in, GetUser', { skip }, async () => {
  const client = sdk({ requestHandler: { httpsAgent: new https.Agent({ ca: readFileSync(caFile) }) } });
  const { poolId, clientId } = await poolAndClient(client);
  await client.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: 'alice',
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }],
    }),
  );
  await client.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'alice' }));
  const auth = await client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'alice', PASSWORD },
    }),
  );
  const access = auth.AuthenticationResult.AccessToken;
  assert.equal(payload(access).iss, `${tlsUrl}/${poolId}`);
  const user = await client.send(new GetUserCommand({ AccessToken: access }));
  assert.equal(user.Username, 'alice');
});

test('SDK v3 without the CA fails the TLS handshake', { skip }, async () => {
  const client = sdk({ requestHandler: { httpsAgent: new https.Agent({}) } });
  // OpenSSL's word for a leaf whose issuer is in no trust store.
  await assert.rejects(client.send(new ListUserPoolsCommand({ MaxResults: 1 })), (err) => {
    assert.equal(err.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', String(err));
    return true;
  });
});

test('with NODE_EXTRA_CA_CERTS, Amplify v6 signs in with SRP and a new password, and aws-jwt-verify verifies', { skip }, async () => {
  const client = sdk({ requestHandler: { httpsAgent: new https.Agent({ ca: readFileSync(caFile) }) } });
  const { poolId, clientId } = await poolAndClient(client);
  const child = fileURLToPath(new URL('./tls_child.mjs', import.meta.url));
  const out = await new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [child, poolId, clientId],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile }, timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  const result = JSON.parse(out.trim().split('\n').pop());
  assert.equal(result.first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
  assert.deepEqual(result.confirmed, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assert.equal(result.authFlowType, 'USER_SRP_AUTH');
  assert.equal(result.iss, `${tlsUrl}/${poolId}`);
  assert.equal(result.getUser, 'bob');
  assert.equal(result.verified['cognito:username'], 'bob');
});
