import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * @simplewebauthn/browser's UMD bundle (it defines `SimpleWebAuthnBrowser`), served from this
 * origin so the page's CSP can stay `script-src 'self'`. The package exports no file path, so
 * its root is found from its CommonJS entry (`<root>/script/index.js`).
 */
export const WEBAUTHN_BROWSER_BUNDLE = readFileSync(
  join(
    dirname(
      dirname(
        createRequire(import.meta.url).resolve('@simplewebauthn/browser'),
      ),
    ),
    'dist/bundle/index.umd.min.js',
  ),
  'utf8',
);

export const PASSKEYS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Passkeys</title><script src="/account/simplewebauthn-browser.js" defer></script><script src="/account/passkeys.js" defer></script></head><body><main><h1>Passkeys</h1>
<section><h2>Add a passkey</h2><form id="password-form"><label>Username or email <input name="username" autocomplete="username" required></label> <label>Password <input name="password" type="password" autocomplete="current-password" required></label> <button type="submit">Sign in with your password</button></form><form id="code-form" hidden><label>Code from your authenticator app <input name="code" inputmode="numeric" autocomplete="one-time-code" required></label> <button type="submit">Continue</button></form>
<p><label>Passkey name <input id="passkey-name" maxlength="64" placeholder="Laptop"></label> <button id="register" type="button" disabled>Add a passkey</button> <button id="sign-out" type="button" disabled>Sign out</button></p></section>
<section><h2>Sign in</h2><p><button id="passkey-login" type="button">Sign in with a passkey</button></p></section>
<p id="result" role="status"></p></main></body></html>`;

/**
 * The page's script: sign in with a password (and the TOTP code when it is on), add a passkey
 * (the access token stays in this page's memory only), sign out, sign in with the passkey and
 * show who /users/me says you are.
 */
export const PASSKEYS_SCRIPT = `'use strict';
(() => {
  const { startRegistration, startAuthentication } = window.SimpleWebAuthnBrowser;
  const $ = (id) => document.getElementById(id);
  let accessToken = null;
  const show = (text) => { $('result').textContent = text; };
  const signedIn = (token) => {
    accessToken = token;
    $('register').disabled = !token;
    $('sign-out').disabled = !token;
  };
  let mfaToken = null;
  async function call(method, path, body) {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    if (accessToken) headers.authorization = 'Bearer ' + accessToken;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw Object.assign(new Error(data.detail || data.error_description || response.statusText), { data });
    return data;
  }
  const passwordSignedIn = (tokens) => {
    signedIn(tokens.access_token);
    mfaToken = null;
    $('code-form').hidden = true;
    show('Signed in with your password: you can add a passkey.');
  };
  $('password-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    try {
      passwordSignedIn(await call('POST', '/auth/login', { username: form.username.value, password: form.password.value }));
    } catch (error) {
      // TOTP is on: the password was right, and the code finishes the sign-in.
      if (error.data && error.data.error === 'mfa_required') {
        mfaToken = error.data.mfa_token;
        $('code-form').hidden = false;
        show('Enter the code from your authenticator app.');
      } else show(error.message);
    }
  });
  $('code-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      passwordSignedIn(await call('POST', '/auth/mfa/verify', { mfa_token: mfaToken, code: event.target.code.value.trim() }));
    } catch (error) { show(error.message); }
  });
  $('register').addEventListener('click', async () => {
    try {
      const optionsJSON = await call('POST', '/auth/passkeys/register/options', {});
      const response = await startRegistration({ optionsJSON });
      const name = $('passkey-name').value.trim();
      const passkey = await call('POST', '/auth/passkeys/register/verify', name ? { response, name } : { response });
      show('Passkey added: ' + passkey.name);
    } catch (error) { show(error.message); }
  });
  $('sign-out').addEventListener('click', async () => {
    try { await call('POST', '/auth/logout', {}); } catch { /* signed out locally either way */ }
    signedIn(null);
    show('Signed out.');
  });
  $('passkey-login').addEventListener('click', async () => {
    try {
      signedIn(null);
      const optionsJSON = await call('POST', '/auth/passkeys/login/options');
      const response = await startAuthentication({ optionsJSON });
      const tokens = await call('POST', '/auth/passkeys/login/verify', { response });
      signedIn(tokens.access_token);
      const me = await call('GET', '/users/me');
      show('Signed in with a passkey as ' + me.username);
    } catch (error) { show(error.message); }
  });
})();
`;
