// Amplify JS v6 in a real browser: headless Chromium (Debian's chromium package, driven by
// playwright-core; no browser is downloaded) loads a small app bundled with esbuild from the
// aws-amplify package (browser/app.mjs) and served by this test.
//
// - Federation: the app's "Sign in with Google" button runs signInWithRedirect({ provider: 'Google' })
//   through the emulator's HTTPS listener (Amplify builds https://{domain}/oauth2/... with a fixed
//   https scheme), the emulator's stand-in Google page is filled in as a person would, and the app
//   ends signed in with the federated user's attributes.
// - Hosted UI: the app's "Hosted sign-in" button runs signInWithRedirect() to the emulator's
//   /login page, an SMS MFA user types the password and then the code from the outbox, and the
//   app ends signed in; its signOut() goes through /logout, which ends the hosted session too.
// - HTTPS: the page itself is served over https with a certificate signed by the emulator's CA,
//   and Amplify's signIn calls the emulator's HTTPS listener (plain http would be mixed content).
//
// Chromium trusts the emulator's CA through --ignore-certificate-errors-spki-list with the CA's
// key hash (a launch flag, so the test needs no write to any trust store; a person imports the CA
// instead, README "HTTPS and the local CA"). Screenshots land in tests/clients/screenshots/.
//
// tests/clients/run.sh starts the emulator with --tls-port and a throw-away --tls-dir and exports
// COGNITO_EMULATOR_TLS_URL and COGNITO_EMULATOR_CA (ca.pem; ca-key.pem beside it signs the page's
// certificate here, with the openssl command line).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { base, call } from './emulator.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const SHOTS = join(here, '..', 'screenshots');
const tlsUrl = (process.env.COGNITO_EMULATOR_TLS_URL ?? '').replace(/\/$/, '');
const caFile = process.env.COGNITO_EMULATOR_CA ?? '';
const caKeyFile = caFile && join(dirname(caFile), 'ca-key.pem');
const PASSWORD = 'Passw0rd!x';

const skip = !existsSync(CHROMIUM)
  ? `needs Debian's chromium at ${CHROMIUM} (apt-get install chromium)`
  : !tlsUrl || !caFile
    ? 'needs the emulator started with --tls-port (tests/clients/run.sh)'
    : false;

/** The base64 SHA-256 of a certificate's SubjectPublicKeyInfo, as Chromium's SPKI list takes it. */
function spkiHash(pem) {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/**
 * The emulator's server certificate, from a handshake with its HTTPS listener, after checking that
 * the emulator's CA signed it. The listener sends the leaf alone, and Chromium matches the SPKI list
 * against the certificates a server sends, so the list names this leaf beside the CA.
 */
async function emulatorLeaf() {
  const { hostname, port } = new URL(tlsUrl);
  const raw = await new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), ca: readFileSync(caFile) }, () => {
      resolve(socket.getPeerCertificate().raw);
      socket.end();
    });
    socket.on('error', reject);
  });
  const leaf = new X509Certificate(raw);
  assert.ok(leaf.verify(new X509Certificate(readFileSync(caFile)).publicKey), 'the CA signed the emulator leaf');
  return leaf.toString();
}

/** The page: APP_CONFIG, the app's controls and its bundle. */
function pageHtml(config) {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Amplify test app</title>
<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto}pre{white-space:pre-wrap;background:#eee}</style>
</head><body><h1>Amplify test app</h1>
<p><button id="google">Sign in with Google</button> <button id="hosted">Hosted sign-in</button>
<button id="signout">Sign out</button> <button id="status">Status</button></p>
<form id="form"><input id="username" placeholder="username"> <input id="password" type="password" placeholder="password">
<button id="signin" type="submit">Sign in</button></form>
<p id="ready"></p><pre id="result"></pre>
<script>window.APP_CONFIG = ${JSON.stringify(config)};</script>
<script type="module" src="/app.js"></script>
</body></html>`;
}

/** Serves the page at / (whatever the query, as a redirect back lands there) and /app.js. */
async function servePage(bundle, config, tls) {
  const handler = (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(pageHtml(config()));
    } else {
      res.writeHead(404).end();
    }
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** A certificate for localhost signed by the emulator's CA (key beside ca.pem in --tls-dir). */
function pageCertificate(dir) {
  const key = join(dir, 'page-key.pem');
  const cert = join(dir, 'page.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'extendedKeyUsage=serverAuth',
    '-CA', caFile, '-CAkey', caKeyFile,
  ], { stdio: 'pipe' });
  // Leaf then CA, as a server sends its chain.
  return { key: readFileSync(key), cert: readFileSync(cert) + readFileSync(caFile) };
}

let bundle;
let browser;
let work;

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'amplify-browser-'));
  mkdirSync(SHOTS, { recursive: true });
  const built = await esbuild.build({
    entryPoints: [join(here, 'browser', 'app.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'error',
  });
  bundle = built.outputFiles[0].contents;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // playwright-core gives every launch a fresh --user-data-dir of its own.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      `--ignore-certificate-errors-spki-list=${[readFileSync(caFile), await emulatorLeaf()].map(spkiHash).join(',')}`,
    ],
  });
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  return { context, page, logs };
}

async function appResult(page, logs) {
  try {
    await page.waitForSelector('#result[data-done="true"]', { state: 'attached', timeout: 20_000 });
  } catch (err) {
    throw new Error(`the app gave no result at ${page.url()}:\n${logs.join('\n')}`, { cause: err });
  }
  return JSON.parse(await page.textContent('#result'));
}

/**
 * An app that signs in through the hosted pages (Amplify's signInWithRedirect): its page server,
 * an OAuth app client whose callback and sign-out URLs are that page, and the Amplify config the
 * page loads.
 */
async function redirectApp(poolId, { scopes, provider }) {
  let config;
  const server = await servePage(bundle, () => config, null);
  const pageUrl = `http://localhost:${server.address().port}/`;
  const clientId = (
    await call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'redirect app',
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: scopes,
      CallbackURLs: [pageUrl],
      LogoutURLs: [pageUrl],
      SupportedIdentityProviders: [provider],
    })
  ).UserPoolClient.ClientId;
  config = {
    userPoolId: poolId,
    userPoolClientId: clientId,
    userPoolEndpoint: tlsUrl,
    loginWith: {
      oauth: {
        // host:port of the HTTPS listener: Amplify puts https:// in front of it.
        domain: new URL(tlsUrl).host,
        scopes,
        redirectSignIn: [pageUrl],
        redirectSignOut: [pageUrl],
        responseType: 'code',
      },
    },
  };
  return { server, pageUrl, clientId };
}

test('Amplify v6 signInWithRedirect with Google: the stand-in page filled in, the app signed in with the attributes', { skip, timeout: 60_000 }, async () => {
  const poolId = (await call('CreateUserPool', { PoolName: `browser-fed-${randomUUID().slice(0, 8)}` })).UserPool.Id;
  await call('CreateIdentityProvider', {
    UserPoolId: poolId,
    ProviderName: 'Google',
    ProviderType: 'Google',
    ProviderDetails: { client_id: 'g', client_secret: 's', authorize_scopes: 'openid email profile' },
    AttributeMapping: { email: 'email', email_verified: 'email_verified', name: 'name', username: 'sub' },
  });
  const { server, pageUrl } = await redirectApp(poolId, {
    scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
    provider: 'Google',
  });
  const { context, page, logs } = await newPage();
  try {
    await page.goto(pageUrl);
    await page.waitForSelector('#ready[data-ready="true"]', { state: 'attached' });
    await page.screenshot({ path: join(SHOTS, 'amplify-google-1-app.png') });
    await page.click('#google');

    // The emulator's "Sign in to Google (emulated)" page, reached through /oauth2/authorize.
    await page.waitForURL((u) => u.pathname === `/_emulator/idp/${poolId}/Google/authorize`, { timeout: 20_000 });
    assert.equal(new URL(page.url()).origin, tlsUrl);
    assert.equal(await page.textContent('h1'), 'Sign in to Google (emulated)');
    await page.fill('#sub', '1045');
    await page.fill('#email', 'gina@example.com');
    await page.fill('#name', 'Gina');
    await page.check('#email_verified');
    await page.screenshot({ path: join(SHOTS, 'amplify-google-2-provider.png') });
    await page.click('#signin');

    await page.waitForURL((u) => u.origin === new URL(pageUrl).origin, { timeout: 20_000 });
    const result = await appResult(page, logs);
    await page.screenshot({ path: join(SHOTS, 'amplify-google-3-signed-in.png') });
    assert.equal(result.isSignedIn, true, JSON.stringify(result));
    assert.equal(result.username, 'Google_1045');
    assert.equal(result.attributes.email, 'gina@example.com');
    assert.equal(result.attributes.name, 'Gina');
    assert.equal(result.attributes.email_verified, 'true');
    assert.equal(result.userId, result.attributes.sub);
    assert.equal(result.idToken.iss, `${tlsUrl}/${poolId}`);
    assert.equal(result.idToken['cognito:username'], 'Google_1045');
    assert.equal(result.idToken.identities[0].userId, '1045');
    // Amplify finished with the code grant and PKCE: the code is gone from the address bar.
    assert.equal(new URL(page.url()).searchParams.get('code'), null);
  } finally {
    await context.close();
    server.close();
  }
});

test('Amplify v6 signIn reaches DONE in a page served over https from the emulator CA', { skip, timeout: 60_000 }, async () => {
  const poolId = (await call('CreateUserPool', { PoolName: `browser-tls-${randomUUID().slice(0, 8)}` })).UserPool.Id;
  const clientId = (
    await call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'browser app',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    })
  ).UserPoolClient.ClientId;
  // The user, made through the API first.
  await call('AdminCreateUser', {
    UserPoolId: poolId,
    Username: 'alice',
    MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }],
  });
  await call('AdminSetUserPassword', { UserPoolId: poolId, Username: 'alice', Password: PASSWORD, Permanent: true });
  const config = { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: tlsUrl };
  const server = await servePage(bundle, () => config, pageCertificate(work));
  const pageUrl = `https://localhost:${server.address().port}/`;
  const { context, page, logs } = await newPage();
  try {
    await page.goto(pageUrl);
    await page.waitForSelector('#ready[data-ready="true"]', { state: 'attached' });
    assert.equal(await page.evaluate(() => window.isSecureContext && location.protocol), 'https:');
    await page.fill('#username', 'alice');
    await page.fill('#password', PASSWORD);
    await page.screenshot({ path: join(SHOTS, 'amplify-https-1-form.png') });
    await page.click('#signin');
    const result = await appResult(page, logs);
    await page.screenshot({ path: join(SHOTS, 'amplify-https-2-signed-in.png') });
    assert.deepEqual(result.signIn, { isSignedIn: true, nextStep: { signInStep: 'DONE' } }, JSON.stringify(result));
    assert.equal(result.isSignedIn, true);
    assert.equal(result.username, 'alice');
    assert.equal(result.attributes.email, 'alice@example.com');
    assert.equal(result.idToken.iss, `${tlsUrl}/${poolId}`);
  } finally {
    await context.close();
    server.close();
  }
});

/** The code of the newest message of `purpose` to `username`, from the emulator's outbox. */
async function lastCode(username, purpose) {
  const url = `${base}/_emulator/messages?${new URLSearchParams({ username, purpose })}`;
  const { messages } = await (await fetch(url)).json();
  return messages.filter((m) => m.code).at(-1)?.code;
}

test('Amplify v6 signInWithRedirect through the hosted pages with SMS MFA, then signOut through /logout', { skip, timeout: 90_000 }, async () => {
  const poolId = (await call('CreateUserPool', { PoolName: `browser-hosted-${randomUUID().slice(0, 8)}` })).UserPool.Id;
  await call('SetUserPoolMfaConfig', {
    UserPoolId: poolId,
    MfaConfiguration: 'ON',
    SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your code is {####}' },
  });
  const username = `mia-${randomUUID().slice(0, 8)}`;
  await call('AdminCreateUser', {
    UserPoolId: poolId,
    Username: username,
    MessageAction: 'SUPPRESS',
    UserAttributes: [
      { Name: 'phone_number', Value: '+12065550100' },
      { Name: 'phone_number_verified', Value: 'true' },
    ],
  });
  await call('AdminSetUserPassword', { UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true });
  await call('AdminSetUserMFAPreference', {
    UserPoolId: poolId,
    Username: username,
    SMSMfaSettings: { Enabled: true, PreferredMfa: true },
  });
  const { server, pageUrl, clientId } = await redirectApp(poolId, {
    scopes: ['openid', 'phone', 'aws.cognito.signin.user.admin'],
    provider: 'COGNITO',
  });
  const { context, page, logs } = await newPage();
  const hostedLogin = async () => {
    await page.click('#hosted');
    await page.waitForURL((u) => u.origin === tlsUrl && u.pathname === '/login', { timeout: 20_000 });
  };
  try {
    await page.goto(pageUrl);
    await page.waitForSelector('#ready[data-ready="true"]', { state: 'attached' });
    await hostedLogin();
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.screenshot({ path: join(SHOTS, 'amplify-hosted-1-login.png') });
    await page.click('[name=signInSubmitButton]');

    // The SMS MFA step, with the code the emulator "texted".
    await page.waitForSelector('input[name=code]', { timeout: 20_000 });
    assert.equal(await page.getAttribute('input[name=code]', 'autocomplete'), 'one-time-code');
    const code = await lastCode(username, 'MFA');
    assert.match(code ?? '', /^\d{6}$/);
    await page.fill('input[name=code]', code);
    await page.screenshot({ path: join(SHOTS, 'amplify-hosted-2-sms-mfa.png') });
    await page.click('[name=signInSubmitButton]');

    await page.waitForURL((u) => u.origin === new URL(pageUrl).origin, { timeout: 20_000 });
    const result = await appResult(page, logs);
    await page.screenshot({ path: join(SHOTS, 'amplify-hosted-3-signed-in.png') });
    assert.equal(result.isSignedIn, true, JSON.stringify(result));
    assert.equal(result.username, username);
    assert.equal(result.attributes.phone_number, '+12065550100');
    assert.equal(result.idToken.iss, `${tlsUrl}/${poolId}`);
    assert.equal(result.idToken['cognito:username'], username);
    assert.equal(result.idToken.aud, clientId);
    assert.equal(new URL(page.url()).searchParams.get('code'), null);

    // signOut: Amplify clears its tokens and sends the browser through the emulator's /logout,
    // which ends the hosted session and comes back to the app's sign-out URL.
    const logoutSeen = page.waitForRequest((r) => {
      const u = new URL(r.url());
      return u.origin === tlsUrl && u.pathname === '/logout' && u.searchParams.get('client_id') === clientId;
    }, { timeout: 20_000 });
    await page.click('#signout');
    await logoutSeen;
    await page.waitForURL((u) => u.origin === new URL(pageUrl).origin, { timeout: 20_000 });
    await page.waitForSelector('#ready[data-ready="true"]', { state: 'attached' });
    await page.click('#status');
    assert.deepEqual(await appResult(page, logs), { isSignedIn: false });

    // The hosted session is gone too: signing in again asks for the password.
    await hostedLogin();
    assert.ok(await page.isVisible('input[name=password]'));
  } finally {
    await context.close();
    server.close();
  }
});
