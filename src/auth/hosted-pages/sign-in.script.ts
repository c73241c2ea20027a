/**
 * The sign-in page's passkeys: asks for WebAuthn options, lets the browser find a passkey
 * (`startAuthentication()`, @simplewebauthn/browser), puts the assertion in the page's passkey
 * form and submits it, so the answer is a navigation (a 303 on to the client) like the password
 * form's. Two ways in: the "Sign in with a passkey" button, and the username field's autofill
 * (conditional mediation), asked for on the field's first focus rather than on page load, so that
 * viewing the page spends no challenge and none of the per-IP budget. Served from this origin,
 * so the page's CSP stays `script-src 'self'`.
 */
export const SIGN_IN_SCRIPT = `'use strict';
(() => {
  const button = document.getElementById('passkey-button');
  const form = document.getElementById('passkey-form');
  const status = document.getElementById('passkey-status');
  const username = document.getElementById('username');
  const webAuthn = window.SimpleWebAuthnBrowser;
  if (!button || !form || !webAuthn) return;
  const signIn = async (useBrowserAutofill) => {
    const response = await fetch('/auth/passkeys/login/options', { method: 'POST' });
    if (!response.ok) throw new Error('Passkeys are not available right now.');
    const assertion = await webAuthn.startAuthentication({ optionsJSON: await response.json(), useBrowserAutofill });
    form.elements.assertion.value = JSON.stringify(assertion);
    form.submit();
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = '';
    try {
      await signIn(false);
    } catch (error) {
      status.textContent = 'No passkey was used. Try again, or sign in with your password.';
      button.disabled = false;
    }
  });
  if (username)
    username.addEventListener('focus', async () => {
      try {
        if (await webAuthn.browserSupportsWebAuthnAutofill()) await signIn(true);
      } catch {
        // Cancelled (the button took over, or the page is leaving): the password form is there.
      }
    }, { once: true });
})();
`;
