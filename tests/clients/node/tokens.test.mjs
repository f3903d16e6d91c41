// ID and access tokens checked by aws-jwt-verify against the emulator's JWKS, as a resource server
// would: signature (RS256, kid from /<poolId>/.well-known/jwks.json), issuer, audience, expiry,
// token_use. aws-jwt-verify fetches JWKS over https only, so the verifiers use the http fetcher
// of emulator.mjs. Run by tests/clients/run.sh, or `COGNITO_EMULATOR_URL=... node --test` with an
// emulator running. Every test makes its own pool.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { base, call, httpJwksCache } from './emulator.mjs';

const PASSWORD = 'Passw0rd!';

/** A pool, a client, a confirmed user, and that user's tokens. */
async function signedIn() {
  const poolId = (await call('CreateUserPool', { PoolName: `jwt-${randomUUID().slice(0, 8)}` })).UserPool.Id;
  const clientId = (
    await call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'jwt',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    })
  ).UserPoolClient.ClientId;
  await call('AdminCreateUser', {
    UserPoolId: poolId,
    Username: 'alice',
    MessageAction: 'SUPPRESS',
    TemporaryPassword: PASSWORD,
    UserAttributes: [
      { Name: 'email', Value: 'alice@example.com' },
      { Name: 'email_verified', Value: 'true' },
    ],
  });
  await call('AdminSetUserPassword', { UserPoolId: poolId, Username: 'alice', Password: PASSWORD, Permanent: true });
  const auth = await call('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: clientId,
    AuthParameters: { USERNAME: 'alice', PASSWORD },
  });
  const issuer = `${base}/${poolId}`;
  return { poolId, clientId, issuer, jwksUri: `${issuer}/.well-known/jwks.json`, tokens: auth.AuthenticationResult };
}

test('the ID token verifies with aws-jwt-verify and carries the user', async () => {
  const s = await signedIn();
  const verifier = JwtRsaVerifier.create(
    { issuer: s.issuer, audience: s.clientId, jwksUri: s.jwksUri },
    { jwksCache: httpJwksCache() },
  );
  const payload = await verifier.verify(s.tokens.IdToken);
  assert.equal(payload.token_use, 'id');
  assert.equal(payload['cognito:username'], 'alice');
  assert.equal(payload.email, 'alice@example.com');
  assert.equal(payload.email_verified, true);
  assert.equal(payload.aud, s.clientId);
});

test('the access token verifies with aws-jwt-verify (no audience) and has the admin scope', async () => {
  const s = await signedIn();
  const verifier = JwtRsaVerifier.create(
    {
      issuer: s.issuer,
      audience: null,
      jwksUri: s.jwksUri,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== 'access') throw new Error('not an access token');
      },
    },
    { jwksCache: httpJwksCache() },
  );
  const payload = await verifier.verify(s.tokens.AccessToken);
  assert.equal(payload.scope, 'aws.cognito.signin.user.admin');
  assert.equal(payload.client_id, s.clientId);
  assert.equal(payload.username, 'alice');
});

test('a refreshed token verifies too', async () => {
  const s = await signedIn();
  const refreshed = await call('InitiateAuth', {
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    ClientId: s.clientId,
    AuthParameters: { REFRESH_TOKEN: s.tokens.RefreshToken },
  });
  const verifier = JwtRsaVerifier.create(
    { issuer: s.issuer, audience: s.clientId, jwksUri: s.jwksUri },
    { jwksCache: httpJwksCache() },
  );
  const payload = await verifier.verify(refreshed.AuthenticationResult.IdToken);
  assert.equal(payload['cognito:username'], 'alice');
});

test('a tampered token, a wrong audience and another pool are rejected', async () => {
  const s = await signedIn();
  const verifier = JwtRsaVerifier.create(
    { issuer: s.issuer, audience: s.clientId, jwksUri: s.jwksUri },
    { jwksCache: httpJwksCache() },
  );
  const [h, p, sig] = s.tokens.IdToken.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  claims['cognito:username'] = 'mallory';
  const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
  await assert.rejects(verifier.verify(tampered), /signature/i);

  const wrongAudience = JwtRsaVerifier.create(
    { issuer: s.issuer, audience: 'someone-else', jwksUri: s.jwksUri },
    { jwksCache: httpJwksCache() },
  );
  await assert.rejects(wrongAudience.verify(s.tokens.IdToken), /audience/i);

  const other = await signedIn();
  await assert.rejects(verifier.verify(other.tokens.IdToken), /issuer|kid/i);
});
