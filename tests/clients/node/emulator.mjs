// Shared helpers for the Node client suites.

import { SimpleJwksCache } from 'aws-jwt-verify/jwk';

/** The emulator's base URL, as tests/clients/run.sh exports it. */
export const base = (process.env.COGNITO_EMULATOR_URL ?? 'http://127.0.0.1:9229').replace(/\/$/, '');

/**
 * aws-jwt-verify fetches JWKS with node:https only ("Protocol "http:" not supported"), and the
 * emulator speaks plain HTTP. A JWKS cache whose fetcher is the global fetch lifts that:
 *   JwtRsaVerifier.create({ issuer, audience, jwksUri }, { jwksCache: httpJwksCache() })
 * This is what an application verifying emulator tokens in Node needs too.
 */
export function httpJwksCache() {
  return new SimpleJwksCache({
    fetcher: {
      async fetch(uri) {
        const resp = await fetch(uri);
        if (!resp.ok) throw new Error(`GET ${uri}: ${resp.status}`);
        return resp.arrayBuffer();
      },
    },
  });
}

/** One JSON 1.1 call without signing; throws with the body on a non-200. */
export async function call(operation, body) {
  const resp = await fetch(`${base}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  const json = await resp.json();
  if (!resp.ok) {
    const err = new Error(`${operation} failed: ${JSON.stringify(json)}`);
    err.body = json;
    throw err;
  }
  return json;
}
