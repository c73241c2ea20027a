/**
 * Redirect URIs of registered clients: what may be registered, and when a requested URI is a
 * registered one. Matching is exact string comparison (OAuth 2.1 §4.1.1, RFC 9700 §4.1.3), with
 * the one exception RFC 8252 §7.3 makes for native apps: a loopback IP literal over http matches
 * on any port, because the app listens on whichever port the system gives it.
 */

/** Long enough for any real callback; short enough that a stored list stays small. */
export const MAX_REDIRECT_URI_LENGTH = 2000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * `http://127.0.0.1[:port]` or `http://[::1][:port]` at the start of a URI, up to the path. Not
 * `localhost`: a name can resolve elsewhere, so RFC 8252 §8.3 gives it no port exception.
 */
const LOOPBACK_IP_ORIGIN =
  /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?(?=[/?]|$)/;

/**
 * Why `uri` cannot be registered as a redirect URI, or null when it can: an absolute URI without
 * a fragment (RFC 6749 §3.1.2) or user information; `https`, or `http` on a loopback host
 * (RFC 8252 §7.3, and `localhost` for development), or a private-use scheme with a dot in it
 * (`com.example.app:/callback`, RFC 8252 §7.1). No wildcards: a pattern is not a URI.
 */
export function redirectUriProblem(uri: string): string | null {
  if (uri.length > MAX_REDIRECT_URI_LENGTH)
    return `is longer than ${MAX_REDIRECT_URI_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\s\0-\x1f\x7f]/.test(uri))
    return 'contains spaces or control characters';
  if (uri.includes('*'))
    return 'contains a wildcard (*): register each URI in full';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not an absolute URI';
  }
  if (uri.includes('#'))
    return 'has a fragment (#), which RFC 6749 §3.1.2 forbids';
  if (url.username || url.password)
    return 'has user information (user@host), which would hide the real host';
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https') return url.hostname ? null : 'has no host';
  if (scheme === 'http')
    return LOOPBACK_HOSTS.has(url.hostname)
      ? null
      : 'uses http on a host that is not loopback (127.0.0.1, [::1] or localhost): use https';
  if (
    [
      'javascript',
      'data',
      'file',
      'vbscript',
      'blob',
      'about',
      'ws',
      'wss',
    ].includes(scheme)
  )
    return `uses the ${scheme}: scheme, which cannot receive a redirect`;
  return scheme.includes('.')
    ? null
    : `uses the scheme ${scheme}:, which is neither https, loopback http nor a private-use scheme in reverse domain order (com.example.app:/callback)`;
}

/** `uri` without its port when it is a loopback IP literal over http; otherwise null. */
function withoutLoopbackPort(uri: string): string | null {
  const match = LOOPBACK_IP_ORIGIN.exec(uri);
  if (!match) return null;
  if (match[2] !== undefined) {
    const port = Number(match[2]);
    if (port < 1 || port > 65535 || match[2].startsWith('0')) return null;
  }
  return `http://${match[1]}${uri.slice(match[0].length)}`;
}

/** Whether `requested` is one of the client's `registered` redirect URIs. */
export function isRegisteredRedirectUri(
  registered: readonly string[],
  requested: string,
): boolean {
  if (registered.includes(requested)) return true;
  const portless = withoutLoopbackPort(requested);
  return (
    portless !== null &&
    registered.some((uri) => withoutLoopbackPort(uri) === portless)
  );
}
