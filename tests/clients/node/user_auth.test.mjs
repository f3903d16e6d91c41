// Choice-based sign-in (USER_AUTH) through Amplify JS v6 in Node: signIn with each
// preferredChallenge (PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN) and without one
// (CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION), each driven to DONE; passwordless signUp with
// autoSignIn; passkey registration through associateWebAuthnCredential.
//
// Node has no WebAuthn, so this file (its own process under `node --test`) installs the browser
// surface Amplify checks (window.isSecureContext, PublicKeyCredential, navigator.credentials)
// backed by a software authenticator that makes real P-256 keys and ECDSA signatures with
// node:crypto, so the emulator verifies genuine attestation and assertion data.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { Amplify } from 'aws-amplify';
import {
  associateWebAuthnCredential,
  autoSignIn,
  confirmSignIn,
  confirmSignUp,
  deleteWebAuthnCredential,
  fetchAuthSession,
  listWebAuthnCredentials,
  signIn,
  signOut,
  signUp,
} from 'aws-amplify/auth';
import { base, call } from './emulator.mjs';

const PASSWORD = 'Passw0rd!';
const ORIGIN = 'http://localhost:3000';

// --- a software authenticator ------------------------------------------------------------------

/** Minimal CBOR encoder: unsigned/negative ints, byte and text strings, arrays, maps. */
function cbor(value) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
    if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') {
    const b = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, b.length), b]);
  }
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  throw new Error(`cannot CBOR-encode ${value}`);
}

const sha256 = (b) => createHash('sha256').update(b).digest();
const buf = (ab) => Buffer.from(ab instanceof ArrayBuffer ? new Uint8Array(ab) : ab);
const ab = (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);

class AuthenticatorAttestationResponse {
  constructor(clientDataJSON, attestationObject, authenticatorData, publicKey) {
    this.clientDataJSON = clientDataJSON;
    this.attestationObject = attestationObject;
    this.authData = authenticatorData;
    this.publicKey = publicKey;
  }
  getTransports() {
    return ['internal'];
  }
  getPublicKeyAlgorithm() {
    return -7;
  }
  getAuthenticatorData() {
    return this.authData;
  }
  getPublicKey() {
    return this.publicKey;
  }
}
class AuthenticatorAssertionResponse {
  constructor(clientDataJSON, authenticatorData, signature, userHandle) {
    Object.assign(this, { clientDataJSON, authenticatorData, signature, userHandle });
  }
}
class PublicKeyCredential {
  constructor(rawId, response) {
    this.rawId = rawId;
    this.id = buf(rawId).toString('base64url');
    this.type = 'public-key';
    this.response = response;
    this.authenticatorAttachment = 'platform';
  }
  getClientExtensionResults() {
    return {};
  }
}

/** One platform authenticator holding the credentials it created, keyed by id. */
const authenticator = {
  credentials: new Map(),
  async create({ publicKey: o }) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const id = randomBytes(32);
    const cose = cbor(
      new Map([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x, 'base64url')],
        [-3, Buffer.from(jwk.y, 'base64url')],
      ]),
    );
    const clientData = Buffer.from(
      JSON.stringify({ type: 'webauthn.create', challenge: buf(o.challenge).toString('base64url'), origin: ORIGIN, crossOrigin: false }),
    );
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(id.length);
    const authData = Buffer.concat([sha256(o.rp.id), Buffer.from([0x45]), Buffer.alloc(4), Buffer.alloc(16), idLen, id, cose]);
    // "packed" self attestation: signed by the new credential's own key.
    const sig = sign('sha256', Buffer.concat([authData, sha256(clientData)]), privateKey);
    const attestation = cbor(
      new Map([
        ['fmt', 'packed'],
        ['attStmt', new Map([['alg', -7], ['sig', sig]])],
        ['authData', authData],
      ]),
    );
    this.credentials.set(id.toString('base64url'), { privateKey, counter: 0, userHandle: buf(o.user.id) });
    return new PublicKeyCredential(ab(id), new AuthenticatorAttestationResponse(ab(clientData), ab(attestation), ab(authData), undefined));
  },
  async get({ publicKey: o }) {
    const allowed = (o.allowCredentials ?? []).map((c) => buf(c.id).toString('base64url'));
    const id = allowed.find((a) => this.credentials.has(a));
    if (!id) throw Object.assign(new Error('no credential'), { name: 'NotAllowedError' });
    const cred = this.credentials.get(id);
    cred.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(cred.counter);
    const clientData = Buffer.from(
      JSON.stringify({ type: 'webauthn.get', challenge: buf(o.challenge).toString('base64url'), origin: ORIGIN, crossOrigin: false }),
    );
    const authData = Buffer.concat([sha256(o.rpId), Buffer.from([0x05]), counter]);
    const sig = sign('sha256', Buffer.concat([authData, sha256(clientData)]), cred.privateKey);
    return new PublicKeyCredential(
      ab(Buffer.from(id, 'base64url')),
      new AuthenticatorAssertionResponse(ab(clientData), ab(authData), ab(sig), ab(cred.userHandle)),
    );
  },
};

// The browser surface Amplify's passkey code checks (client/utils/passkey/*).
Object.assign(globalThis, { PublicKeyCredential, AuthenticatorAttestationResponse, AuthenticatorAssertionResponse });
globalThis.window = {
  document: {},
  isSecureContext: true,
  PublicKeyCredential,
  location: { origin: ORIGIN, href: `${ORIGIN}/` },
  addEventListener() {},
  removeEventListener() {},
};
Object.defineProperty(globalThis, 'navigator', {
  value: { userAgent: 'node', credentials: authenticator },
  configurable: true,
});

// Amplify's signUp arms a 3-minute auto-sign-in watchdog (signUpHelpers handleCodeAutoSignIn)
// that it never clears after a successful autoSignIn; unref long timers so that one does not keep
// this test process alive for 3 minutes.
const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = (fn, ms, ...args) => {
  const t = realSetTimeout(fn, ms, ...args);
  if (ms >= 60_000) t.unref?.();
  return t;
};

// --- the pool ----------------------------------------------------------------------------------

let s;

/** The newest code sent to `username` of this file's pool for `purpose` (suites run in parallel). */
async function lastCode(username, purpose) {
  const query = `userPoolId=${s.poolId}&username=${username}&purpose=${purpose}`;
  const resp = await fetch(`${base}/_emulator/messages?${query}`);
  const { messages } = await resp.json();
  return messages.at(-1)?.code;
}

before(async () => {
  const poolId = (
    await call('CreateUserPool', {
      PoolName: `user-auth-${randomUUID().slice(0, 8)}`,
      AutoVerifiedAttributes: ['email'],
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'] } },
    })
  ).UserPool.Id;
  const clientId = (
    await call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'user-auth',
      ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
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
      { Name: 'phone_number', Value: '+12065551234' },
    ],
  });
  await call('AdminSetUserPassword', { UserPoolId: poolId, Username: 'alice', Password: PASSWORD, Permanent: true });
  Amplify.configure({ Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: base } } });
  s = { poolId, clientId };
});

async function signedInAs(username) {
  const { tokens } = await fetchAuthSession();
  const claims = JSON.parse(Buffer.from(tokens.idToken.toString().split('.')[1], 'base64url').toString());
  assert.equal(claims['cognito:username'], username);
  await signOut();
}

const userAuth = (preferredChallenge) => ({ authFlowType: 'USER_AUTH', ...(preferredChallenge ? { preferredChallenge } : {}) });

test('USER_AUTH with preferredChallenge PASSWORD and PASSWORD_SRP reaches DONE', async () => {
  for (const preferred of ['PASSWORD', 'PASSWORD_SRP']) {
    const out = await signIn({ username: 'alice', password: PASSWORD, options: userAuth(preferred) });
    assert.deepEqual(out, { isSignedIn: true, nextStep: { signInStep: 'DONE' } }, preferred);
    await signedInAs('alice');
  }
  await assert.rejects(signIn({ username: 'alice', password: 'Wr0ng!', options: userAuth('PASSWORD') }), (err) => {
    assert.equal(err.name, 'NotAuthorizedException');
    assert.equal(err.message, 'Incorrect username or password.');
    return true;
  });
});

test('USER_AUTH with preferredChallenge EMAIL_OTP and SMS_OTP confirms the 8-digit code to DONE', async () => {
  for (const [preferred, step, medium] of [
    ['EMAIL_OTP', 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', 'EMAIL'],
    ['SMS_OTP', 'CONFIRM_SIGN_IN_WITH_SMS_CODE', 'SMS'],
  ]) {
    const out = await signIn({ username: 'alice', options: userAuth(preferred) });
    assert.equal(out.isSignedIn, false);
    assert.equal(out.nextStep.signInStep, step);
    assert.equal(out.nextStep.codeDeliveryDetails.deliveryMedium, medium);
    const code = await lastCode('alice', 'SIGN_IN_OTP');
    assert.match(code, /^\d{8}$/);
    await assert.rejects(confirmSignIn({ challengeResponse: code === '00000000' ? '11111111' : '00000000' }), (err) => {
      assert.equal(err.name, 'CodeMismatchException');
      return true;
    });
    const done = await confirmSignIn({ challengeResponse: code });
    assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    await signedInAs('alice');
  }
});

test('USER_AUTH without a preference continues with first-factor selection to DONE', async () => {
  const out = await signIn({ username: 'alice', options: userAuth() });
  assert.equal(out.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
  assert.deepEqual(out.nextStep.availableChallenges, ['PASSWORD_SRP', 'PASSWORD', 'EMAIL_OTP', 'SMS_OTP']);
  const email = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
  assert.equal(email.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  const done = await confirmSignIn({ challengeResponse: await lastCode('alice', 'SIGN_IN_OTP') });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await signedInAs('alice');

  for (const choice of ['PASSWORD', 'PASSWORD_SRP']) {
    const again = await signIn({ username: 'alice', options: userAuth() });
    const password = await confirmSignIn({ challengeResponse: choice });
    assert.equal(password.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_PASSWORD', choice);
    const finished = await confirmSignIn({ challengeResponse: PASSWORD });
    assert.deepEqual(finished, { isSignedIn: true, nextStep: { signInStep: 'DONE' } }, choice);
    await signedInAs('alice');
    assert.ok(again);
  }
});

test('a passkey registered with associateWebAuthnCredential signs in with WEB_AUTHN', async () => {
  await signIn({ username: 'alice', password: PASSWORD, options: userAuth('PASSWORD') });
  await associateWebAuthnCredential();
  const { credentials } = await listWebAuthnCredentials();
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0].relyingPartyId, 'localhost');
  await signOut();

  const out = await signIn({ username: 'alice', options: userAuth('WEB_AUTHN') });
  assert.deepEqual(out, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await signedInAs('alice');

  // Chosen from the first-factor selection too.
  const choice = await signIn({ username: 'alice', options: userAuth() });
  assert.ok(choice.nextStep.availableChallenges.includes('WEB_AUTHN'));
  const done = await confirmSignIn({ challengeResponse: 'WEB_AUTHN' });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await deleteWebAuthnCredential({ credentialId: credentials[0].credentialId });
  assert.equal((await listWebAuthnCredentials()).credentials.length, 0);
  await signOut();
});

test('a passwordless signUp signs in automatically after confirmSignUp', async () => {
  const up = await signUp({
    username: 'carol',
    options: { userAttributes: { email: 'carol@example.com' }, autoSignIn: { authFlowType: 'USER_AUTH' } },
  });
  assert.equal(up.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
  const confirmed = await confirmSignUp({ username: 'carol', confirmationCode: await lastCode('carol', 'SIGN_UP') });
  assert.equal(confirmed.nextStep.signUpStep, 'COMPLETE_AUTO_SIGN_IN');
  const out = await autoSignIn();
  assert.deepEqual(out, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  await signedInAs('carol');
});
