/**
 * The hosted pages' Content-Security-Policy: nothing loads but the page itself, no one may frame
 * it (clickjacking, RFC 9700 §4.16), and its forms may post to this origin only, whose answer
 * may redirect on to the client's redirect URI (Chromium checks `form-action` along redirects,
 * so that origin is named too).
 */
export function pagesCsp(redirectUri: string | undefined): string {
  const target = redirectUri ? formTarget(redirectUri) : '';
  // The sign-in page's passkey button runs this origin's scripts and asks this origin for
  // WebAuthn options; nothing else loads.
  return `default-src 'none'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'${target}`;
}

function formTarget(redirectUri: string): string {
  const url = new URL(redirectUri);
  // A source expression for a private-use scheme (RFC 8252 §7.1) is the scheme alone.
  return url.protocol === 'http:' || url.protocol === 'https:'
    ? ` ${url.origin}`
    : ` ${url.protocol}`;
}
