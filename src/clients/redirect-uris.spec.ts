import {
  isRegisteredRedirectUri,
  MAX_REDIRECT_URI_LENGTH,
  redirectUriProblem,
} from './redirect-uris.js';

describe('redirectUriProblem (what may be registered)', () => {
  it.each([
    'https://app.example.com/callback',
    'https://app.example.com/callback?tenant=a,b',
    'http://127.0.0.1/callback',
    'http://127.0.0.1:8400/callback',
    'http://[::1]/callback',
    'http://localhost:5173/callback',
    'com.example.app:/oauth2redirect',
  ])('accepts %s', (uri) => {
    expect(redirectUriProblem(uri)).toBeNull();
  });

  it.each([
    ['a wildcard host', 'https://*.example.com/callback', /wildcard/],
    ['a wildcard path', 'https://app.example.com/*', /wildcard/],
    ['a fragment', 'https://app.example.com/callback#x', /fragment/],
    [
      'user information',
      'https://app.example.com@evil.com/',
      /user information/,
    ],
    ['http on a public host', 'http://app.example.com/callback', /https/],
    ['a relative URI', '/callback', /absolute/],
    ['javascript:', 'javascript:alert(1)', /javascript/],
    ['data:', 'data:text/html,hi', /data/],
    ['a custom scheme without a dot', 'myapp:/callback', /private-use/],
    ['a space', 'https://app.example.com/a b', /spaces/],
    ['a NUL', 'https://app.example.com/\0', /control/],
    [
      'an overlong URI',
      `https://app.example.com/${'a'.repeat(MAX_REDIRECT_URI_LENGTH)}`,
      /longer/,
    ],
  ])('refuses %s', (_, uri, reason) => {
    expect(redirectUriProblem(uri)).toMatch(reason);
  });
});

describe('isRegisteredRedirectUri (exact match, RFC 8252 loopback ports)', () => {
  const registered = [
    'https://app.example.com/callback',
    'http://127.0.0.1/native',
    'http://[::1]:9000/native',
    'http://localhost:5173/callback',
  ];

  it.each([
    'https://app.example.com/callback',
    'http://127.0.0.1/native',
    'http://127.0.0.1:51004/native',
    'http://[::1]:1/native',
    'http://[::1]/native',
    'http://localhost:5173/callback',
  ])('matches %s', (requested) => {
    expect(isRegisteredRedirectUri(registered, requested)).toBe(true);
  });

  it.each([
    ['a prefix', 'https://app.example.com/callbackx'],
    ['a suffix path', 'https://app.example.com/callback/x'],
    ['a shorter path', 'https://app.example.com/'],
    ['another case', 'https://APP.example.com/callback'],
    ['an added query', 'https://app.example.com/callback?x=1'],
    ['an encoded character', 'https://app.example.com/%63allback'],
    ['a trailing slash', 'https://app.example.com/callback/'],
    ['user information', 'https://app.example.com/callback@evil.com'],
    ['a fragment', 'https://app.example.com/callback#x'],
    [
      'another port on localhost (a name, not a loopback literal)',
      'http://localhost:5174/callback',
    ],
    ['another loopback path', 'http://127.0.0.1:5000/native/x'],
    ['a loopback port out of range', 'http://127.0.0.1:65536/native'],
    ['a loopback port with a leading zero', 'http://127.0.0.1:080/native'],
    [
      'a loopback user-information trick',
      'http://127.0.0.1:80@evil.com/native',
    ],
    ['IPv4 shorthand', 'http://127.1:5000/native'],
    ['https on loopback', 'https://127.0.0.1:5000/native'],
  ])('does not match %s', (_, requested) => {
    expect(isRegisteredRedirectUri(registered, requested)).toBe(false);
  });
});
