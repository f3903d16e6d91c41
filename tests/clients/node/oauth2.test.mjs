// A machine-to-machine access token from the emulator's /oauth2/token (client_credentials), as a
// backend verifies it with aws-jwt-verify. Run by tests/clients/run.sh, or
// `COGNITO_EMULATOR_URL=... node --test` with an emulator running.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { base, call, httpJwksCache } from './emulator.mjs';

test('aws-jwt-verify accepts a client_credentials access token with its scope', async () => {
  const { UserPool } = await call('CreateUserPool', { PoolName: `m2m-${randomUUID().slice(0, 8)}` });
  const poolId = UserPool.Id;
  await call('CreateResourceServer', {
    UserPoolId: poolId,
    Identifier: 'orders',
    Name: 'orders',
    Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read orders' }],
  });
  const { UserPoolClient: client } = await call('CreateUserPoolClient', {
    UserPoolId: poolId,
    ClientName: 'worker',
    GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['client_credentials'],
    AllowedOAuthScopes: ['orders/read'],
  });
  const basic = Buffer.from(`${client.ClientId}:${client.ClientSecret}`).toString('base64');
  const resp = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${basic}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  assert.equal(resp.status, 200);
  const { access_token: token, token_type: type } = await resp.json();
  assert.equal(type, 'Bearer');

  const issuer = `${base}/${poolId}`;
  const verifier = JwtRsaVerifier.create(
    {
      issuer,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      audience: null,
      scope: 'orders/read',
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== 'access' || payload.client_id !== client.ClientId) {
          throw new Error('not an access token of this client');
        }
      },
    },
    { jwksCache: httpJwksCache() },
  );
  const payload = await verifier.verify(token);
  assert.equal(payload.sub, client.ClientId);
  await assert.rejects(verifier.verify(token, { scope: 'orders/write' }));
});
