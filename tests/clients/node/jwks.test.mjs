// aws-jwt-verify can fetch and use a pool's JWKS from the emulator, and the AWS SDK for
// JavaScript v3 talks to it. Run by tests/clients/run.sh, or `COGNITO_EMULATOR_URL=... node --test`
// with an emulator running.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { base, httpJwksCache } from './emulator.mjs';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';

// Admin operations are SigV4-signed client side: the SDK needs credentials, any will do.
const sdk = new CognitoIdentityProviderClient({
  region: 'us-east-1',
  endpoint: base,
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
  maxAttempts: 1,
});

async function newPool() {
  const out = await sdk.send(new CreateUserPoolCommand({ PoolName: `node-${randomUUID().slice(0, 8)}` }));
  return out.UserPool.Id;
}

test('the AWS SDK for JavaScript v3 creates and describes a pool', async () => {
  const poolId = await newPool();
  assert.match(poolId, /^us-east-1_[0-9A-Za-z]{9}$/);
  const described = await sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
  assert.equal(described.UserPool.Id, poolId);
  assert.ok(described.UserPool.CreationDate instanceof Date);
});

test('the AWS SDK for JavaScript v3 sees Cognito error names and texts', async () => {
  await assert.rejects(
    sdk.send(new DescribeUserPoolCommand({ UserPoolId: 'us-east-1_NoSuchOne' })),
    (err) => {
      assert.ok(err instanceof ResourceNotFoundException, err.name);
      assert.equal(err.message, 'User pool us-east-1_NoSuchOne does not exist.');
      assert.equal(err.$metadata.httpStatusCode, 400);
      return true;
    },
  );
});

test('aws-jwt-verify fetches the pool JWKS from the emulator', async () => {
  const poolId = await newPool();
  const issuer = `${base}/${poolId}`;
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  assert.equal(discovery.issuer, issuer);

  const verifier = JwtRsaVerifier.create(
    { issuer, jwksUri: discovery.jwks_uri, audience: null },
    { jwksCache: httpJwksCache() },
  );
  // hydrate() downloads and parses the JWKS; it throws on a malformed document.
  await verifier.hydrate();
  const jwks = await (await fetch(discovery.jwks_uri)).json();
  assert.equal(jwks.keys.length, 2);
  for (const k of jwks.keys) {
    assert.equal(k.kty, 'RSA');
    assert.equal(k.alg, 'RS256');
    assert.equal(k.use, 'sig');
  }
  // A token not signed by those keys is refused.
  const forged =
    Buffer.from(JSON.stringify({ alg: 'RS256', kid: jwks.keys[0].kid })).toString('base64url') +
    '.' +
    Buffer.from(JSON.stringify({ iss: issuer, exp: 9999999999, token_use: 'access' })).toString('base64url') +
    '.' +
    Buffer.from('not a signature').toString('base64url');
  await assert.rejects(verifier.verify(forged));
});
