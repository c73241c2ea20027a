/**
 * The script of the account pages: no framework, no build. It reads `token` from the address,
 * removes it from the address bar (and so from history), and posts it, with the form's fields,
 * to the route of the page. The forgot-password page needs no token. A link mailed from the
 * hosted sign-in pages also carries `continue`, an authorization request at this origin: once the
 * link has done its work the page goes there (nowhere else: any other value is ignored).
 */
export const ACCOUNT_PAGES_SCRIPT = `'use strict';
(() => {
  const routes = {
    'verify-email': '/auth/email/verify',
    'confirm-email': '/auth/email/change/confirm',
    'reset-password': '/auth/password/reset',
    'remove-sign-in-method': '/auth/sign-in-methods/remove',
    'forgot-password': '/auth/password/forgot',
  };
  const fields = ['newPassword', 'password', 'email'];
  const page = location.pathname.split('/').pop();
  const route = routes[page];
  const query = new URLSearchParams(location.search);
  const token = query.get('token');
  const resume = (() => {
    try {
      const url = new URL(query.get('continue') || '', location.href);
      return query.has('continue') && url.origin === location.origin &&
        url.pathname === '/oauth/authorize'
        ? url.href
        : null;
    } catch {
      return null;
    }
  })();
  const form = document.getElementById('account-form');
  const result = document.getElementById('result');
  if (!route || !form || !result) return;
  history.replaceState(null, '', location.pathname);
  const needsToken = page !== 'forgot-password';
  if (needsToken && !token) {
    result.textContent = 'This link has no token. Open the link from the mail again.';
    form.hidden = true;
    return;
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = needsToken ? { token } : {};
    for (const name of fields) {
      const field = form.elements.namedItem(name);
      if (field) body[name] = field.value;
    }
    for (const element of form.elements) element.disabled = true;
    try {
      const response = await fetch(route, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.ok && resume) {
        result.textContent = 'Done. Taking you back to sign in…';
        location.assign(resume);
        return;
      }
      if (response.ok) {
        result.textContent =
          page === 'forgot-password'
            ? 'If an account has this address, a link is on its way to it.'
            : 'Done. You can close this page.';
        form.hidden = true;
        return;
      }
      const answer = await response.json().catch(() => ({}));
      // Problem details (RFC 9457): \`detail\` says what went wrong, in words.
      result.textContent = answer.detail || 'That did not work (' + response.status + ').';
    } catch {
      result.textContent = 'The server could not be reached. Try again.';
    }
    for (const element of form.elements) element.disabled = false;
  });
})();
`;
