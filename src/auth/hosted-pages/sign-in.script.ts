/**
 * The sign-in page's passkey button: asks for WebAuthn options, lets the browser find a passkey
 * (`startAuthentication()`, @simplewebauthn/browser), puts the assertion in the page's passkey
 * form and submits it, so the answer is a navigation (a 303 on to the client) like the password
 * form's. Served from this origin, so the page's CSP stays `script-src 'self'`.
 */
export const SIGN_IN_SCRIPT = `'use strict';
(() => {
  const button = document.getElementById('passkey-button');
  const form = document.getElementById('passkey-form');
  const status = document.getElementById('passkey-status');
  if (!button || !form || !window.SimpleWebAuthnBrowser) return;
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = '';
    try {
      const response = await fetch('/auth/passkeys/login/options', { method: 'POST' });
      if (!response.ok) throw new Error('Passkeys are not available right now.');
      const assertion = await window.SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: await response.json() });
      form.elements.assertion.value = JSON.stringify(assertion);
      form.submit();
    } catch (error) {
      status.textContent = 'No passkey was used. Try again, or sign in with your password.';
      button.disabled = false;
    }
  });
})();
`;
