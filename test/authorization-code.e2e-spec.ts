import request from 'supertest';
import { bearer, signUpVerified, type TestUser } from './support/api.js';
import { BrowserAgent, formsOf, pkce } from './support/browser-agent.js';
import { testDatabaseKind } from './support/database.js';
import { TEST_ISSUER, decodeClaims } from './support/jwt.js';
import { appForSuite } from './support/suite.js';
import {
  authorizeUrl,
  callback,
  REDIRECT,
  registerClient,
  codeRedemption,
} from './support/authorization.js';

describe(`Authorization code flow with PKCE (${testDatabaseKind()})`, () => {
  const t = appForSuite();
  let user: TestUser;
  let spa: { clientId: string };
  beforeAll(async () => {
    user = await signUpVerified(t);
    spa = await registerClient(t);
  });

  const token = (form: Record<string, string>, authorization?: string) => {
    const call = request(t.server).post('/auth/token').type('form');
    if (authorization) void call.set('Authorization', authorization);
    return call.send(form);
  };

  /** Signs `user` in on the hosted page and returns the code the client receives. */
  async function signInForCode(
    browser: BrowserAgent,
    clientId: string,
    challenge: string,
    extra: Record<string, string> = {},
  ): Promise<string> {
    const page = await browser.get(
      authorizeUrl({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'xyz',
        scope: 'openid account',
        ...extra,
      }),
    );
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sign in');
    const signedIn = await browser.submit(page, {
      username: user.username,
      password: user.password,
    });
    expect(signedIn.status).toBe(303);
    const back = await browser.follow(signedIn);
    expect(back.status).toBe(303);
    const params = callback(back.headers.location);
    expect(params.get('state')).toBe('xyz');
    expect(params.get('iss')).toBe(TEST_ISSUER);
    return params.get('code') as string;
  }

  it('signs in on the hosted page, sends the code back with state and iss, and the code buys tokens bound to the client', async () => {
    const browser = new BrowserAgent(t);
    const { verifier, challenge } = pkce();
    const code = await signInForCode(browser, spa.clientId, challenge);
    const cookie = browser.cookies.get('__Host-warden');
    expect(cookie).toBeDefined();

    const tokens = await token(
      codeRedemption(code, verifier, spa.clientId),
    ).expect(200);
    expect(tokens.body.scope).toBe('account openid');
    const claims = decodeClaims(tokens.body.access_token);
    expect(claims).toMatchObject({ sub: user.id, client_id: spa.clientId });
    await request(t.server)
      .get('/users/me')
      .set(bearer(tokens.body.access_token))
      .expect(200);

    // The refresh token is the client's: another client, or none, cannot use it.
    const refresh = (extra: Record<string, string>) =>
      token({
        grant_type: 'refresh_token',
        refresh_token: tokens.body.refresh_token,
        ...extra,
      });
    expect((await refresh({}).expect(401)).body.error).toBe('invalid_client');
    const other = await registerClient(t);
    expect(
      (await refresh({ client_id: other.clientId }).expect(400)).body.error,
    ).toBe('invalid_grant');
    const refreshed = await refresh({ client_id: spa.clientId }).expect(200);
    expect(decodeClaims(refreshed.body.access_token).client_id).toBe(
      spa.clientId,
    );
  });

  it('signs in once per browser: the next request skips the page, prompt=login shows it again, prompt=none without a session is login_required', async () => {
    const browser = new BrowserAgent(t);
    await signInForCode(browser, spa.clientId, pkce().challenge);
    const base = {
      response_type: 'code',
      client_id: spa.clientId,
      redirect_uri: REDIRECT,
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      state: 's2',
    };
    const again = await browser.get(authorizeUrl(base));
    expect(again.status).toBe(303);
    expect(callback(again.headers.location).get('code')).toBeTruthy();

    const login = await browser.get(authorizeUrl({ ...base, prompt: 'login' }));
    expect(login.status).toBe(200);
    expect(formsOf(login.text)[0].action).toBe('/oauth/sign-in');

    const stranger = new BrowserAgent(t);
    const none = await stranger.get(authorizeUrl({ ...base, prompt: 'none' }));
    expect(none.status).toBe(303);
    const params = callback(none.headers.location);
    expect(params.get('error')).toBe('login_required');
    expect(params.get('state')).toBe('s2');
    expect(params.get('iss')).toBe(TEST_ISSUER);
  });

  it('a code redeemed twice fails the second time and ends the session the first started (RFC 6749 §4.1.2)', async () => {
    const browser = new BrowserAgent(t);
    const { verifier, challenge } = pkce();
    const code = await signInForCode(browser, spa.clientId, challenge);
    const form = codeRedemption(code, verifier, spa.clientId);
    const first = await token(form).expect(200);
    expect((await token(form).expect(400)).body.error).toBe('invalid_grant');
    await request(t.server)
      .get('/users/me')
      .set(bearer(first.body.access_token))
      .expect(401);
  });

  it('of concurrent redemptions of one code, at most one gets tokens, and none that did keeps a live session', async () => {
    const browser = new BrowserAgent(t);
    const { verifier, challenge } = pkce();
    const code = await signInForCode(browser, spa.clientId, challenge);
    const form = codeRedemption(code, verifier, spa.clientId);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => token(form)),
    );
    const won = responses.filter((response) => response.status === 200);
    expect(won.length).toBeLessThanOrEqual(1);
    expect(responses.every((r) => r.status === 200 || r.status === 400)).toBe(
      true,
    );
    for (const response of won)
      await request(t.server)
        .get('/users/me')
        .set(bearer(response.body.access_token))
        .expect(401);
  });

  it.each([
    ['no verifier', undefined],
    ['a verifier for another challenge', pkce().verifier],
    ['the challenge itself (plain)', 'CHALLENGE'],
  ])('refuses the code with %s (PKCE)', async (_, sent) => {
    const browser = new BrowserAgent(t);
    const { verifier, challenge } = pkce();
    const code = await signInForCode(browser, spa.clientId, challenge);
    const form: Record<string, string> = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: spa.clientId,
    };
    if (sent !== undefined)
      form.code_verifier = sent === 'CHALLENGE' ? challenge : sent;
    expect((await token(form).expect(400)).body.error).toBe('invalid_grant');
    // The refusal does not spend the code: the real client still redeems it.
    await token({ ...form, code_verifier: verifier }).expect(200);
  });

  it('refuses the code for another redirect_uri or another client', async () => {
    const browser = new BrowserAgent(t);
    const { verifier, challenge } = pkce();
    const code = await signInForCode(browser, spa.clientId, challenge);
    const form = codeRedemption(code, verifier, spa.clientId);
    expect(
      (await token({ ...form, redirect_uri: `${REDIRECT}/` }).expect(400)).body
        .error,
    ).toBe('invalid_grant');
    const other = await registerClient(t);
    expect(
      (await token({ ...form, client_id: other.clientId }).expect(400)).body
        .error,
    ).toBe('invalid_grant');
    await token(form).expect(200);
  });

  describe('requests that are refused', () => {
    const good = () => ({
      response_type: 'code',
      client_id: spa.clientId,
      redirect_uri: REDIRECT,
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      state: 'st',
    });

    it.each([
      ['an unknown client', { client_id: 'nobody' }],
      ['no redirect_uri', { redirect_uri: undefined }],
      ['a longer path', { redirect_uri: `${REDIRECT}/more` }],
      ['a prefix', { redirect_uri: 'https://app.example.com/call' }],
      ['another case', { redirect_uri: 'https://app.example.com/Callback' }],
      ['userinfo', { redirect_uri: 'https://evil@app.example.com/callback' }],
      [
        'an encoded character',
        { redirect_uri: 'https://app.example.com/%63allback' },
      ],
      [
        'another host',
        { redirect_uri: 'https://app.example.com.evil.test/callback' },
      ],
      ['a query added', { redirect_uri: `${REDIRECT}?next=https://evil.test` }],
    ])('shows an error page and never redirects for %s', async (_, change) => {
      const response = await new BrowserAgent(t).get(
        authorizeUrl({ ...good(), ...change }),
      );
      expect(response.status).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.text).toContain('role="alert"');
    });

    it('refuses a NUL in any parameter before the route, without redirecting', async () => {
      const response = await new BrowserAgent(t).get(
        authorizeUrl({ ...good(), nonce: 'a\u0000b' }),
      );
      expect(response.status).toBe(400);
      expect(response.headers.location).toBeUndefined();
    });

    it('shows the error page for a repeated client_id', async () => {
      const response = await new BrowserAgent(t).get(
        `${authorizeUrl(good())}&client_id=${spa.clientId}`,
      );
      expect(response.status).toBe(400);
      expect(response.headers.location).toBeUndefined();
    });

    it.each([
      ['no code_challenge', { code_challenge: undefined }, 'invalid_request'],
      ['plain PKCE', { code_challenge_method: 'plain' }, 'invalid_request'],
      [
        'no code_challenge_method',
        { code_challenge_method: undefined },
        'invalid_request',
      ],
      ['a short challenge', { code_challenge: 'abc' }, 'invalid_request'],
      [
        'response_type=token',
        { response_type: 'token' },
        'unsupported_response_type',
      ],
      ['no response_type', { response_type: undefined }, 'invalid_request'],
      [
        'response_mode=fragment',
        { response_mode: 'fragment' },
        'invalid_request',
      ],
      [
        'a request object',
        { request: 'eyJhbGciOiJub25lIn0.e30.' },
        'request_not_supported',
      ],
      [
        'a request_uri',
        { request_uri: 'https://evil.test/r' },
        'request_uri_not_supported',
      ],
      ['an unknown scope', { scope: 'openid root' }, 'invalid_scope'],
      [
        'a scope the client is not registered for',
        { scope: 'users:admin' },
        'invalid_scope',
      ],
      ['an unknown prompt', { prompt: 'select_account' }, 'invalid_request'],
      ['prompt=none with login', { prompt: 'none login' }, 'invalid_request'],
      ['a max_age that is no number', { max_age: '1e9' }, 'invalid_request'],
    ])(
      'sends %s back to the client as %s, with state and iss',
      async (_, change, error) => {
        const response = await new BrowserAgent(t).get(
          authorizeUrl({ ...good(), ...change }),
        );
        expect(response.status).toBe(303);
        const params = callback(response.headers.location);
        expect(params.get('error')).toBe(error);
        expect(params.get('state')).toBe('st');
        expect(params.get('iss')).toBe(TEST_ISSUER);
        expect(params.get('code')).toBeNull();
      },
    );
  });

  describe('the sign-in form', () => {
    const start = async (browser: BrowserAgent) => {
      const page = await browser.get(
        authorizeUrl({
          response_type: 'code',
          client_id: spa.clientId,
          redirect_uri: REDIRECT,
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        }),
      );
      expect(page.status).toBe(200);
      return page;
    };

    it('is served so that it cannot be framed, leaks no Referer and names only the client origin as a form target', async () => {
      const page = await start(new BrowserAgent(t));
      const csp = page.headers['content-security-policy'];
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("form-action 'self' https://app.example.com");
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['cache-control']).toBe('no-store');
      // Scripts only from this origin's files: no inline code, no handler attributes.
      for (const [, attributes, body] of page.text.matchAll(
        /<script([^>]*)>([\s\S]*?)<\/script>/g,
      )) {
        expect(attributes).toMatch(/ src="\/(account|oauth)\/[\w.-]+\.js"/);
        expect(body).toBe('');
      }
      const cookies = page.headers['set-cookie'] as unknown as string[];
      const csrf = cookies.find((cookie) =>
        cookie.startsWith('__Host-warden-csrf='),
      );
      expect(csrf).toMatch(/; Path=\//);
      expect(csrf).toMatch(/; HttpOnly/);
      expect(csrf).toMatch(/; Secure/);
      expect(csrf).toMatch(/; SameSite=Lax/);
    });

    it('refuses a post without its CSRF token, or from another browser (login CSRF)', async () => {
      const browser = new BrowserAgent(t);
      const page = await start(browser);
      const [form] = formsOf(page.text);
      const credentials = { username: user.username, password: user.password };
      const missing = await browser.post('/oauth/sign-in', {
        request: form.fields.request,
        ...credentials,
      });
      expect(missing.status).toBe(403);
      expect(missing.headers['set-cookie']).toBeUndefined();
      // An attacker's page posts its own valid token into the victim's browser.
      const victim = new BrowserAgent(t);
      await start(victim);
      const forged = await victim.post('/oauth/sign-in', {
        ...form.fields,
        ...credentials,
      });
      expect(forged.status).toBe(403);
      expect(victim.cookies.has('__Host-warden')).toBe(false);
    });

    it.each([
      ['no assertion', ''],
      ['an assertion that is not JSON', '{not json'],
      ['a JSON array', '[]'],
      [
        'an assertion for no passkey',
        JSON.stringify({
          id: 'nope',
          rawId: 'nope',
          type: 'public-key',
          response: {},
        }),
      ],
      ['an assertion over the size limit', 'x'.repeat(20_000)],
    ])(
      'answers the passkey form with %s with the sign-in page and no session',
      async (_, assertion) => {
        const browser = new BrowserAgent(t);
        const page = await start(browser);
        const answer = await browser.submit(
          page,
          { assertion },
          '/oauth/sign-in/passkey',
        );
        expect(answer.status).toBe(401);
        expect(answer.text).toContain('That passkey did not sign you in');
        expect(browser.cookies.has('__Host-warden')).toBe(false);
      },
    );

    it('lets the page run only its own scripts, and serves them', async () => {
      const page = await start(new BrowserAgent(t));
      expect(page.headers['content-security-policy']).toContain(
        "script-src 'self'",
      );
      expect(page.text).not.toMatch(/\son\w+=/);
      const script = await request(t.server)
        .get('/oauth/sign-in.js')
        .expect(200);
      expect(script.headers['content-type']).toContain('text/javascript');
      await request(t.server)
        .get('/account/simplewebauthn-browser.js')
        .expect(200);
    });

    it('says a wrong password is wrong, keeps the username, and sets no session', async () => {
      const browser = new BrowserAgent(t);
      const page = await start(browser);
      const wrong = await browser.submit(page, {
        username: user.username,
        password: 'not the password',
      });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('Incorrect username or password.');
      expect(wrong.text).toContain(`value="${user.username}"`);
      expect(browser.cookies.has('__Host-warden')).toBe(false);
    });

    it('answers a post that is not a form, or a tampered request, with a page', async () => {
      const browser = new BrowserAgent(t);
      const page = await start(browser);
      const [form] = formsOf(page.text);
      const json = await request(t.server)
        .post('/oauth/sign-in')
        .set(
          'Cookie',
          [...browser.cookies].map(([n, v]) => `${n}=${v}`).join('; '),
        )
        .send({ ...form.fields, username: 'a', password: 'b' });
      expect(json.status).toBe(403);
      const tampered = await browser.submit(page, {
        request: form.fields.request.replace(
          encodeURIComponent(REDIRECT),
          encodeURIComponent('https://evil.test/callback'),
        ),
        username: user.username,
        password: user.password,
      });
      expect(tampered.status).toBe(400);
      expect(tampered.headers.location).toBeUndefined();
    });
  });
});
