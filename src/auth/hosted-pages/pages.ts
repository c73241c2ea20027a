import { escapeHtml } from '../../common/html.js';
import {
  CLAIM_SCOPE_DESCRIPTIONS,
  SCOPE_DESCRIPTIONS,
} from '../../roles/scopes.js';

/** What every form of these pages carries: its CSRF token and the authorization request. */
export interface FormContext {
  csrfToken: string;
  /** The authorization request's query string, resumed when the form is done. */
  request: string;
}

const layout = (title: string, body: string, scripts = ''): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>${scripts}</head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;

/** The sign-in page's scripts: @simplewebauthn/browser and the passkey button's few lines. */
const SIGN_IN_SCRIPTS =
  '<script src="/account/simplewebauthn-browser.js" defer></script><script src="/oauth/sign-in.js" defer></script>';

const hidden = (form: FormContext): string =>
  `<input type="hidden" name="_csrf" value="${escapeHtml(form.csrfToken)}"><input type="hidden" name="request" value="${escapeHtml(form.request)}">`;

const alert = (message: string | undefined): string =>
  message ? `<p role="alert">${escapeHtml(message)}</p>` : '';

/** A link to another hosted page that carries the authorization request on. */
const withRequest = (path: string, form: FormContext, text: string): string =>
  `<a href="${escapeHtml(`${path}?${form.request}`)}">${escapeHtml(text)}</a>`;

export function signInPage(
  form: FormContext,
  clientName: string,
  options: { username?: string; error?: string; passwordReset?: boolean } = {},
): string {
  const links = [
    withRequest('/oauth/sign-up', form, 'Create an account'),
    ...(options.passwordReset
      ? [withRequest('/oauth/forgot-password', form, 'Forgot your password?')]
      : []),
  ];
  return layout(
    'Sign in',
    `<p>to continue to ${escapeHtml(clientName)}</p>${alert(options.error)}<form method="post" action="/oauth/sign-in">${hidden(form)}<p><label for="username">Username or email</label><br><input id="username" name="username" autocomplete="username webauthn" maxlength="254" required value="${escapeHtml(options.username ?? '')}"></p><p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" maxlength="128" required></p><p><button type="submit">Sign in</button></p></form><form method="post" action="/oauth/sign-in/passkey" id="passkey-form">${hidden(form)}<input type="hidden" name="assertion" value=""><p><button type="button" id="passkey-button">Sign in with a passkey</button></p></form><p id="passkey-status" role="status"></p><p>${links.join(' · ')}</p>`,
    SIGN_IN_SCRIPTS,
  );
}

export function signUpPage(
  form: FormContext,
  clientName: string,
  options: { email?: string; error?: string } = {},
): string {
  return layout(
    'Create an account',
    `<p>to continue to ${escapeHtml(clientName)}</p>${alert(options.error)}<form method="post" action="/oauth/sign-up">${hidden(form)}<p><label for="email">Email</label><br><input id="email" name="email" type="email" autocomplete="email" maxlength="254" required value="${escapeHtml(options.email ?? '')}"></p><p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" required aria-describedby="password-rules"></p><p id="password-rules">At least 8 characters; a common or guessable password is refused.</p><p><button type="submit">Create account</button></p></form><p>Already have an account? ${withRequest('/oauth/authorize', form, 'Sign in')}</p>`,
  );
}

export function forgotPasswordPage(
  form: FormContext,
  clientName: string,
  error?: string,
): string {
  return layout(
    'Reset your password',
    `<p>We mail you a link to choose a new one; then you continue to ${escapeHtml(clientName)}.</p>${alert(error)}<form method="post" action="/oauth/forgot-password">${hidden(form)}<p><label for="email">Email</label><br><input id="email" name="email" type="email" autocomplete="email" maxlength="254" required></p><p><button type="submit">Mail me a link</button></p></form><p>${withRequest('/oauth/authorize', form, 'Back to sign in')}</p>`,
  );
}

/** After a signup that must prove its address, or a reset request: the link is in the mail. */
export function checkYourMailPage(
  form: FormContext,
  clientName: string,
  message: string,
): string {
  return layout(
    'Check your mail',
    `<p role="status">${escapeHtml(message)}</p><p>The link brings you back here to continue to ${escapeHtml(clientName)}.</p><p>${withRequest('/oauth/authorize', form, 'Back to sign in')}</p>`,
  );
}

export function secondFactorPage(
  form: FormContext,
  mfaToken: string,
  error?: string,
): string {
  return layout(
    'Enter your code',
    `${alert(error)}<form method="post" action="/oauth/sign-in/second-factor">${hidden(form)}<input type="hidden" name="mfa_token" value="${escapeHtml(mfaToken)}"><p><label for="code">Code from your authenticator app, or a recovery code</label><br><input id="code" name="code" autocomplete="one-time-code" maxlength="64" required></p><p><button type="submit">Continue</button></p></form>`,
  );
}

export function consentPage(
  form: FormContext,
  clientName: string,
  scopes: readonly string[],
): string {
  const words = scopes.map(
    (scope) =>
      CLAIM_SCOPE_DESCRIPTIONS[
        scope as keyof typeof CLAIM_SCOPE_DESCRIPTIONS
      ] ??
      SCOPE_DESCRIPTIONS[scope as keyof typeof SCOPE_DESCRIPTIONS] ??
      scope,
  );
  return layout(
    `Allow ${clientName}?`,
    `<p>${escapeHtml(clientName)} asks to:</p><ul>${words.map((text) => `<li>${escapeHtml(text)}</li>`).join('')}</ul><form method="post" action="/oauth/consent">${hidden(form)}<p><button type="submit" name="decision" value="allow">Allow</button> <button type="submit" name="decision" value="deny">Deny</button></p></form><p>You can take this back at any time from your account's connected applications.</p>`,
  );
}

export function errorPage(title: string, message: string): string {
  return layout(title, `<p role="alert">${escapeHtml(message)}</p>`);
}

export function confirmSignOutPage(
  form: FormContext,
  clientName: string | undefined,
): string {
  return layout(
    'Sign out?',
    `<p>${clientName ? `${escapeHtml(clientName)} asks to sign you out of Warden.` : 'Sign out of Warden in this browser?'} Every application you signed in to through Warden here is signed out too.</p><form method="post" action="/oauth/logout/confirm">${hidden(form)}<p><button type="submit">Sign out</button></p></form>`,
  );
}

export function signedOutPage(): string {
  return layout('You are signed out', '<p>You can close this window.</p>');
}
