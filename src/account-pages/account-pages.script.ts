/**
 * The script of the account pages: no framework, no build. It reads `token` from the address,
 * removes it from the address bar (and so from history), and posts it to the route of the page.
 */
export const ACCOUNT_PAGES_SCRIPT = `'use strict';
(() => {
  const routes = {
    'verify-email': '/auth/email/verify',
    'confirm-email': '/auth/email/change/confirm',
    'reset-password': '/auth/password/reset',
  };
  const page = location.pathname.split('/').pop();
  const route = routes[page];
  const token = new URLSearchParams(location.search).get('token');
  const form = document.getElementById('account-form');
  const result = document.getElementById('result');
  if (!route || !form || !result) return;
  history.replaceState(null, '', location.pathname);
  if (!token) {
    result.textContent = 'This link has no token. Open the link from the mail again.';
    form.hidden = true;
    return;
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { token };
    const password = form.elements.namedItem('newPassword');
    if (password) body.newPassword = password.value;
    for (const element of form.elements) element.disabled = true;
    try {
      const response = await fetch(route, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.ok) {
        result.textContent = 'Done. You can close this page.';
        form.hidden = true;
        return;
      }
      const answer = await response.json().catch(() => ({}));
      const message = Array.isArray(answer.message) ? answer.message.join('; ') : answer.message;
      result.textContent = message || 'That did not work (' + response.status + ').';
    } catch {
      result.textContent = 'The server could not be reached. Try again.';
    }
    for (const element of form.elements) element.disabled = false;
  });
})();
`;
