// Run by tls.test.mjs in a child process with NODE_EXTRA_CA_CERTS set to the emulator's CA, as an
// app would be started (Node reads the variable once, at start-up). Prints one JSON line.

import { Amplify } from 'aws-amplify';
import { confirmSignIn, fetchAuthSession, getCurrentUser, signIn } from 'aws-amplify/auth';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  GetUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';

const [poolId, clientId] = process.argv.slice(2);
const tlsUrl = process.env.COGNITO_EMULATOR_TLS_URL.replace(/\/$/, '');

// No agent, no custom fetcher: NODE_EXTRA_CA_CERTS alone makes https and fetch trust the CA.
const client = new CognitoIdentityProviderClient({
  region: 'us-east-1',
  endpoint: tlsUrl,
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
  maxAttempts: 1,
});
await client.send(
  new AdminCreateUserCommand({
    UserPoolId: poolId,
    Username: 'bob',
    TemporaryPassword: 'Passw0rd!',
    MessageAction: 'SUPPRESS',
  }),
);

Amplify.configure({
  Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: tlsUrl } },
});
const first = await signIn({ username: 'bob', password: 'Passw0rd!' });
const confirmed = await confirmSignIn({ challengeResponse: 'N3w-Passw0rd!' });
const current = await getCurrentUser();
const { tokens } = await fetchAuthSession();
const access = tokens.accessToken.toString();
const iss = JSON.parse(Buffer.from(access.split('.')[1], 'base64url').toString()).iss;
const user = await client.send(new GetUserCommand({ AccessToken: access }));

// aws-jwt-verify fetches the JWKS with node:https: over the HTTPS listener it needs no workaround.
const verifier = JwtRsaVerifier.create({
  issuer: `${tlsUrl}/${poolId}`,
  audience: clientId,
  jwksUri: `${tlsUrl}/${poolId}/.well-known/jwks.json`,
});
const verified = await verifier.verify(tokens.idToken.toString());

console.log(
  JSON.stringify({
    first,
    confirmed,
    authFlowType: current.signInDetails.authFlowType,
    iss,
    getUser: user.Username,
    verified,
  }),
);
