// The test page's app (bundled by esbuild in browser.test.mjs): Amplify JS v6 configured from
// window.APP_CONFIG, a "Sign in with Google" button (signInWithRedirect with the provider), a
// "Hosted sign-in" button (signInWithRedirect to the hosted pages), a "Sign out" button
// (signOut, which goes through the hosted /logout), a "Status" button, and a username + password
// form (signIn). What the app then knows (isSignedIn, the user, its attributes) or the error it
// got is written into #result as JSON, which the test reads.

import { Amplify } from 'aws-amplify';
import {
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  signIn,
  signInWithRedirect,
  signOut,
} from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';

const result = document.getElementById('result');
function show(value) {
  result.textContent = JSON.stringify(value, null, 1);
  result.dataset.done = 'true';
}
function failure(err) {
  return { error: { name: err?.name, message: err?.message } };
}

// What the app knows once signed in; Amplify's docs check isSignedIn as `tokens !== undefined`.
async function signedIn() {
  const session = await fetchAuthSession();
  const user = await getCurrentUser();
  return {
    isSignedIn: session.tokens !== undefined,
    username: user.username,
    userId: user.userId,
    attributes: await fetchUserAttributes(),
    idToken: session.tokens?.idToken?.payload,
  };
}

// Amplify finishes a redirect sign-in by itself when the page loads with ?code=&state= (the
// OAuth listener that signInWithRedirect's module installs) and tells the app through Hub.
Hub.listen('auth', ({ payload }) => {
  if (payload.event === 'signInWithRedirect') {
    signedIn().then(show, (err) => show(failure(err)));
  } else if (payload.event === 'signInWithRedirect_failure') {
    show({ redirectFailure: failure(payload.data?.error ?? payload.data) });
  }
});

Amplify.configure({ Auth: { Cognito: window.APP_CONFIG } });

document.getElementById('google').addEventListener('click', () => {
  signInWithRedirect({ provider: 'Google' }).catch((err) => show(failure(err)));
});

document.getElementById('hosted').addEventListener('click', () => {
  signInWithRedirect().catch((err) => show(failure(err)));
});

document.getElementById('signout').addEventListener('click', () => {
  signOut().catch((err) => show(failure(err)));
});

document.getElementById('status').addEventListener('click', async () => {
  const session = await fetchAuthSession().catch(() => ({}));
  show({ isSignedIn: session.tokens !== undefined });
});

document.getElementById('form').addEventListener('submit', (event) => {
  event.preventDefault();
  const username = document.getElementById('username').value;
  const password = document.getElementById('password').value;
  signIn({ username, password })
    .then(async (output) => show({ signIn: output, ...(output.isSignedIn ? await signedIn() : {}) }))
    .catch((err) => show(failure(err)));
});

document.getElementById('ready').dataset.ready = 'true';
