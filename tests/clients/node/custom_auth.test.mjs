// Custom authentication and Lambda triggers through the JS clients. The Define / Create / Verify
// Auth Challenge and PreTokenGeneration functions are ordinary Lambda handlers run by a small
// Lambda Invoke API server in this file (what `sam local start-lambda` serves); each pool points
// the emulator at it with PUT /_emulator/triggers/{poolId} {"LambdaEndpoint": ...}.
// - Amplify JS v6 signIn with CUSTOM_WITHOUT_SRP and CUSTOM_WITH_SRP to
//   CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE and DONE;
// - amazon-cognito-identity-js initiateAuth / authenticateUser with the customChallenge callback;
// - tokens carrying PreTokenGeneration claims verified with aws-jwt-verify.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { base, call, httpJwksCache } from './emulator.mjs';

const PASSWORD = 'Passw0rd!';

// --- the functions -------------------------------------------------------------------------

/** Define: SRP first when the client asked for it, then a question, three tries. */
async function defineAuthChallenge(event) {
  const session = event.request.session;
  const last = session[session.length - 1];
  if (session.length === 1 && last.challengeName === 'SRP_A') {
    Object.assign(event.response, { challengeName: 'PASSWORD_VERIFIER', issueTokens: false, failAuthentication: false });
  } else if (last?.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult) {
    Object.assign(event.response, { issueTokens: true, failAuthentication: false });
  } else if (session.filter((s) => s.challengeName === 'CUSTOM_CHALLENGE').length >= 3) {
    Object.assign(event.response, { issueTokens: false, failAuthentication: true });
  } else {
    Object.assign(event.response, { challengeName: 'CUSTOM_CHALLENGE', issueTokens: false, failAuthentication: false });
  }
  return event;
}

async function createAuthChallenge(event) {
  event.response.publicChallengeParameters = { question: 'What is 2 + 2?' };
  event.response.privateChallengeParameters = { answer: '4' };
  event.response.challengeMetadata = 'MATH';
  return event;
}

async function verifyAuthChallengeResponse(event) {
  event.response.answerCorrect = event.request.challengeAnswer === event.request.privateChallengeParameters.answer;
  return event;
}

async function preTokenGeneration(event) {
  event.response.claimsAndScopeOverrideDetails = {
    idTokenGeneration: { claimsToAddOrOverride: { tenant: 'acme', roles: ['admin'] } },
    accessTokenGeneration: {
      claimsToAddOrOverride: { tenant: 'acme' },
      scopesToAdd: ['orders/read'],
    },
  };
  return event;
}

const functions = {
  'define-auth-challenge': defineAuthChallenge,
  'create-auth-challenge': createAuthChallenge,
  'verify-auth-challenge': verifyAuthChallengeResponse,
  'pre-token-generation': preTokenGeneration,
};

// --- the Lambda Invoke API -----------------------------------------------------------------

const invocations = [];
let lambda;
let lambdaUrl;

before(async () => {
  lambda = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const match = req.url.match(/^\/2015-03-31\/functions\/([^/?]+)\/invocations/);
    const fn = match && functions[decodeURIComponent(match[1])];
    if (req.method !== 'POST' || !fn) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
      res.end(JSON.stringify({ Type: 'User', Message: `Function not found: ${req.url}` }));
      return;
    }
    const event = JSON.parse(body);
    invocations.push({ fn: decodeURIComponent(match[1]), event: structuredClone(event) });
    try {
      const out = await fn(event);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    } catch (err) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
      res.end(JSON.stringify({ errorType: 'Error', errorMessage: err.message, trace: [] }));
    }
  });
  await new Promise((resolve) => lambda.listen(0, '127.0.0.1', resolve));
  lambdaUrl = `http://127.0.0.1:${lambda.address().port}`;
});

after(() => lambda.close());

const arn = (name) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/** A pool with the custom-auth triggers (and PreTokenGeneration V2_0 when asked), a client, a user. */
async function setup({ preToken = false } = {}) {
  const LambdaConfig = {
    DefineAuthChallenge: arn('define-auth-challenge'),
    CreateAuthChallenge: arn('create-auth-challenge'),
    VerifyAuthChallengeResponse: arn('verify-auth-challenge'),
  };
  if (preToken) {
    LambdaConfig.PreTokenGenerationConfig = { LambdaArn: arn('pre-token-generation'), LambdaVersion: 'V2_0' };
  }
  const poolId = (await call('CreateUserPool', { PoolName: `custom-${randomUUID().slice(0, 8)}`, LambdaConfig })).UserPool
    .Id;
  const resp = await fetch(`${base}/_emulator/triggers/${poolId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ LambdaEndpoint: lambdaUrl }),
  });
  assert.equal(resp.status, 200, await resp.text());
  const clientId = (
    await call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'custom',
      ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    })
  ).UserPoolClient.ClientId;
  await call('AdminCreateUser', {
    UserPoolId: poolId,
    Username: 'carol',
    MessageAction: 'SUPPRESS',
    TemporaryPassword: PASSWORD,
    UserAttributes: [
      { Name: 'email', Value: 'carol@example.com' },
      { Name: 'email_verified', Value: 'true' },
    ],
  });
  await call('AdminSetUserPassword', { UserPoolId: poolId, Username: 'carol', Password: PASSWORD, Permanent: true });
  return { poolId, clientId };
}

function sessionsSeenByDefine(poolId) {
  return invocations
    .filter((i) => i.fn === 'define-auth-challenge' && i.event.userPoolId === poolId)
    .map((i) => i.event.request.session.map((s) => `${s.challengeName}:${s.challengeResult}`));
}

function payload(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

// --- Amplify JS v6 -------------------------------------------------------------------------

test('Amplify v6 signIn with CUSTOM_WITHOUT_SRP answers the custom challenge to DONE', async () => {
  const s = await setup();
  Amplify.configure({ Auth: { Cognito: { userPoolId: s.poolId, userPoolClientId: s.clientId, userPoolEndpoint: base } } });

  const first = await signIn({ username: 'carol', options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
  assert.equal(first.isSignedIn, false);
  assert.equal(first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
  assert.equal(first.nextStep.additionalInfo.question, 'What is 2 + 2?');

  const retry = await confirmSignIn({ challengeResponse: '5' });
  assert.equal(retry.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');

  const done = await confirmSignIn({ challengeResponse: '4' });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  const { tokens } = await fetchAuthSession();
  assert.equal(payload(tokens.idToken.toString())['cognito:username'], 'carol');
  await signOut();

  assert.deepEqual(sessionsSeenByDefine(s.poolId), [
    [],
    ['CUSTOM_CHALLENGE:false'],
    ['CUSTOM_CHALLENGE:false', 'CUSTOM_CHALLENGE:true'],
  ]);
});

test('Amplify v6 signIn with CUSTOM_WITH_SRP checks the password, then the custom challenge, to DONE', async () => {
  const s = await setup();
  Amplify.configure({ Auth: { Cognito: { userPoolId: s.poolId, userPoolClientId: s.clientId, userPoolEndpoint: base } } });

  await assert.rejects(
    signIn({ username: 'carol', password: 'Wr0ng-password!', options: { authFlowType: 'CUSTOM_WITH_SRP' } }),
    (err) => {
      assert.equal(err.name, 'NotAuthorizedException');
      assert.equal(err.message, 'Incorrect username or password.');
      return true;
    },
  );

  const first = await signIn({ username: 'carol', password: PASSWORD, options: { authFlowType: 'CUSTOM_WITH_SRP' } });
  assert.equal(first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
  assert.equal(first.nextStep.additionalInfo.question, 'What is 2 + 2?');
  const done = await confirmSignIn({ challengeResponse: '4' });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await signOut();

  assert.deepEqual(sessionsSeenByDefine(s.poolId), [
    ['SRP_A:true'],
    ['SRP_A:true'],
    ['SRP_A:true', 'PASSWORD_VERIFIER:true'],
    ['SRP_A:true', 'PASSWORD_VERIFIER:true', 'CUSTOM_CHALLENGE:true'],
  ]);
});

// --- amazon-cognito-identity-js ------------------------------------------------------------

/** Answers every customChallenge with the next of `answers`; resolves with the session. */
function customSignIn(user, start, answers, details) {
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: resolve,
      onFailure: reject,
      customChallenge(params) {
        callbacks.seen = [...(callbacks.seen ?? []), params];
        user.sendCustomChallengeAnswer(answers.shift(), callbacks);
      },
    };
    start(details, callbacks);
  });
}

test('amazon-cognito-identity-js answers customChallenge without and with SRP', async () => {
  const s = await setup();
  const pool = new CognitoUserPool({ UserPoolId: s.poolId, ClientId: s.clientId, endpoint: `${base}/` });

  const user = new CognitoUser({ Username: 'carol', Pool: pool });
  user.setAuthenticationFlowType('CUSTOM_AUTH');
  const details = new AuthenticationDetails({ Username: 'carol' });
  const session = await customSignIn(user, (d, cb) => user.initiateAuth(d, cb), ['3', '4'], details);
  assert.equal(session.isValid(), true);
  assert.equal(session.getIdToken().decodePayload()['cognito:username'], 'carol');

  // authenticateUser with CUSTOM_AUTH sends SRP_A and CHALLENGE_NAME=SRP_A first.
  const srpUser = new CognitoUser({ Username: 'carol', Pool: pool });
  srpUser.setAuthenticationFlowType('CUSTOM_AUTH');
  const withPassword = new AuthenticationDetails({ Username: 'carol', Password: PASSWORD });
  const srpSession = await customSignIn(srpUser, (d, cb) => srpUser.authenticateUser(d, cb), ['4'], withPassword);
  assert.equal(srpSession.getAccessToken().decodePayload().username, 'carol');

  // Three wrong answers: Define fails the sign-in.
  const loser = new CognitoUser({ Username: 'carol', Pool: pool });
  loser.setAuthenticationFlowType('CUSTOM_AUTH');
  await assert.rejects(customSignIn(loser, (d, cb) => loser.initiateAuth(d, cb), ['1', '2', '3'], details), (err) => {
    assert.equal(err.code, 'NotAuthorizedException');
    assert.equal(err.message, 'Incorrect username or password.');
    return true;
  });
});

// --- aws-jwt-verify on PreTokenGeneration claims --------------------------------------------

test('tokens carrying PreTokenGeneration claims verify with aws-jwt-verify', async () => {
  const s = await setup({ preToken: true });
  const out = await call('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: s.clientId,
    AuthParameters: { USERNAME: 'carol', PASSWORD },
  });
  const issuer = `${base}/${s.poolId}`;
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  const idVerifier = JwtRsaVerifier.create(
    { issuer, audience: s.clientId, jwksUri, tokenUse: 'id' },
    { jwksCache: httpJwksCache() },
  );
  const id = await idVerifier.verify(out.AuthenticationResult.IdToken);
  assert.equal(id.tenant, 'acme');
  assert.deepEqual(id.roles, ['admin']);

  const accessVerifier = JwtRsaVerifier.create(
    { issuer, audience: null, jwksUri, tokenUse: 'access', scope: 'orders/read' },
    { jwksCache: httpJwksCache() },
  );
  const access = await accessVerifier.verify(out.AuthenticationResult.AccessToken);
  assert.equal(access.tenant, 'acme');
  assert.equal(access.scope, 'aws.cognito.signin.user.admin orders/read');

  const event = invocations.filter((i) => i.fn === 'pre-token-generation' && i.event.userPoolId === s.poolId)[0].event;
  assert.equal(event.version, '2');
  assert.equal(event.triggerSource, 'TokenGeneration_Authentication');
  assert.deepEqual(event.request.scopes, ['aws.cognito.signin.user.admin']);
});
