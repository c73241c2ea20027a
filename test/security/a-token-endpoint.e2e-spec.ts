import request from 'supertest';
import { appAndUserForSuite } from '../support/suite.js';
import { bearer, PASSWORD, signUp, tokenRequest } from '../support/api.js';

/** RFC 6749 §5.2: `error` uses %x20-21 / %x23-5B / %x5D-7E only; descriptions have no CR/LF/TAB. */
function expectOAuthError(response: request.Response, error: string): void {
  expect(response.status).toBe(400);
  expect(response.body).toEqual({
    error,
    error_description: expect.any(String),
  });
  expect(response.body.error).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]+$/);
  expect(response.body.error_description).not.toMatch(/[\r\n\t]/);
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers['pragma']).toBe('no-cache');
  expect(response.headers['content-type']).toBe(
    'application/json; charset=utf-8',
  );
  expect(response.headers['x-powered-by']).toBeUndefined();
}

describe('A. Token endpoint: password grant (RFC 6749 §3.2, §4.3, §5)', () => {
  const { t, user } = appAndUserForSuite();

  const password = (extra: Record<string, string | string[]> = {}) => ({
    grant_type: 'password',
    username: user.username,
    password: PASSWORD,
    ...extra,
  });

  it.each(['/auth/token', '/token'])(
    'TOK-01: %s issues tokens for the password grant',
    async (path) => {
      const response = await request(t.server)
        .post(path)
        .type('form')
        .send(password({ client_id: 'web' }))
        .expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['pragma']).toBe('no-cache');
      expect(response.headers['content-type']).toBe(
        'application/json; charset=utf-8',
      );
      expect(response.body.token_type.toLowerCase()).toBe('bearer');
      expect(Number.isInteger(response.body.expires_in)).toBe(true);
      expect(response.body.expires_in).toBeLessThanOrEqual(900);
      expect(response.body.scope).toBe(
        'account todos:read todos:write posts:write',
      );
      expect(JSON.stringify(response.body)).not.toMatch(/argon2|passwordHash/);
    },
  );

  it('JWT-25: puts the RFC 9068 claims and header in the access token', async () => {
    const response = await tokenRequest(t, password()).expect(200);
    const [header, payload] = response.body.access_token
      .split('.')
      .slice(0, 2)
      .map((part: string) =>
        JSON.parse(Buffer.from(part, 'base64url').toString()),
      );
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(payload).toEqual({
      // PUBLIC_URL's default: the issuer of the discovery document too.
      iss: 'http://localhost:3000',
      aud: 'warden-api',
      sub: user.id,
      sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      scope: 'account todos:read todos:write posts:write',
      iat: expect.any(Number),
      exp: expect.any(Number),
      amr: ['pwd'],
      auth_time: payload.iat,
    });
    expect(payload.exp - payload.iat).toBe(900);
  });

  it('TOK-15, TOK-19: every error is RFC-shaped JSON, no-store, without CR/LF/TAB or library text', async () => {
    const bad = [
      await tokenRequest(t, password({ password: 'wrong password' })),
      await tokenRequest(t, { username: 'a', password: 'b' }),
      await tokenRequest(t, password({ grant_type: 'foo' })),
      await tokenRequest(t, password({ scope: 'admin' })),
      await tokenRequest(t, { grant_type: 'refresh_token' }),
      await request(t.server).post('/auth/token').send(password()),
      await request(t.server)
        .post('/auth/token')
        .type('form')
        .send('grant_type=password&password=a&password=b&username=x'),
    ];
    for (const response of bad) {
      expectOAuthError(response, response.body.error);
      expect(response.text).not.toMatch(
        /Error:|at \S+\.js|node_modules|QueryFailed/,
      );
    }
  });

  it('TOK-02, TOK-03: answers a wrong password and an unknown user byte-identically with invalid_grant', async () => {
    const wrong = await tokenRequest(
      t,
      password({ password: 'wrong password' }),
    );
    const unknown = await tokenRequest(
      t,
      password({ username: 'nobody_at_all' }),
    );
    expectOAuthError(wrong, 'invalid_grant');
    expect(unknown.status).toBe(wrong.status);
    expect(unknown.text).toBe(wrong.text);
    // Only the date and the per-request id may differ.
    const { date: _a, 'x-request-id': _ida, ...wrongHeaders } = wrong.headers;
    const {
      date: _b,
      'x-request-id': _idb,
      ...unknownHeaders
    } = unknown.headers;
    expect(unknownHeaders).toEqual(wrongHeaders);
  });

  it('TOK-04: answers a missing grant_type with invalid_request', async () => {
    expectOAuthError(
      await tokenRequest(t, { username: user.username, password: PASSWORD }),
      'invalid_request',
    );
  });

  it('TOK-05: answers grant_type=client_credentials without client authentication with invalid_client', async () => {
    const response = await tokenRequest(
      t,
      password({ grant_type: 'client_credentials' }),
    );
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
  });

  it.each(['foo', 'implicit'])(
    'TOK-05: answers grant_type=%s with unsupported_grant_type',
    async (grantType) => {
      expectOAuthError(
        await tokenRequest(t, password({ grant_type: grantType })),
        'unsupported_grant_type',
      );
    },
  );

  it.each([
    ['no username', { grant_type: 'password', password: PASSWORD }],
    ['no password', { grant_type: 'password', username: 'someone' }],
    [
      'an empty username',
      { grant_type: 'password', username: '', password: PASSWORD },
    ],
    [
      'an empty password',
      { grant_type: 'password', username: 'someone', password: '' },
    ],
  ])(
    'TOK-06: answers %s with invalid_request, not 401',
    async (_case, form) => {
      expectOAuthError(await tokenRequest(t, form), 'invalid_request');
    },
  );

  it('TOK-08, TOK-09: ignores unknown parameters and treats an empty scope as omitted', async () => {
    await tokenRequest(t, password({ foo: 'bar' })).expect(200);
    const response = await tokenRequest(t, password({ scope: '' })).expect(200);
    expect(response.body.scope).toBe(
      'account todos:read todos:write posts:write',
    );
  });

  it("TOK-14: grants a requested subset of scopes, grants fewer than asked when some are not the user's, and refuses unknown scopes", async () => {
    const narrow = await tokenRequest(
      t,
      password({ scope: 'todos:read account' }),
    ).expect(200);
    expect(narrow.body.scope).toBe('todos:read account');
    expectOAuthError(
      await tokenRequest(t, password({ scope: 'admin' })),
      'invalid_scope',
    );
    expectOAuthError(
      await tokenRequest(t, password({ scope: 'account not-a-scope' })),
      'invalid_scope',
    );
    // RFC 6749 §3.3: fewer than asked, said in `scope` (Swagger's "select all" for a user).
    const fewer = await tokenRequest(
      t,
      password({ scope: 'account users:admin' }),
    ).expect(200);
    expect(fewer.body.scope).toBe('account');
    const all = await tokenRequest(
      t,
      password({
        scope: 'account todos:read todos:write posts:write users:admin',
      }),
    ).expect(200);
    expect(all.body.scope).toBe('account todos:read todos:write posts:write');
    // Nothing of the request can be granted: invalid_scope.
    expectOAuthError(
      await tokenRequest(t, password({ scope: 'users:admin' })),
      'invalid_scope',
    );
  });

  it('TOK-14: reads the old scope name profile as account, for one release, and its refresh too', async () => {
    const granted = await tokenRequest(
      t,
      password({ scope: 'profile todos:read' }),
    ).expect(200);
    expect(granted.body.scope).toBe('account todos:read');
    await request(t.server)
      .get('/users/me')
      .set(bearer(granted.body.access_token))
      .expect(200);
    const refreshed = await tokenRequest(t, {
      grant_type: 'refresh_token',
      refresh_token: granted.body.refresh_token,
      scope: 'profile',
    }).expect(200);
    expect(refreshed.body.scope).toBe('account');
  });

  it('TOK-10: answers GET with 404 and issues nothing, whatever the query says', async () => {
    const response = await request(t.server).get(
      `/token?grant_type=password&username=${user.username}&password=${encodeURIComponent(PASSWORD)}`,
    );
    expect([404, 405]).toContain(response.status);
    expect(response.body.access_token).toBeUndefined();
  });

  it('TOK-11: requires form encoding: JSON is invalid_request', async () => {
    const response = await request(t.server)
      .post('/auth/token')
      .send(password());
    expectOAuthError(response, 'invalid_request');
  });

  it('TOK-16: answers repeated or bracketed parameters with invalid_request, never 500', async () => {
    expectOAuthError(
      await request(t.server)
        .post('/auth/token')
        .type('form')
        .send(
          `grant_type=password&username=${user.username}&password=a&password=b`,
        ),
      'invalid_request',
    );
    expectOAuthError(
      await request(t.server)
        .post('/auth/token')
        .type('form')
        .send(`grant_type=password&username=${user.username}&password[x]=1`),
      'invalid_request',
    );
    expectOAuthError(
      await request(t.server)
        .post('/auth/token')
        .type('form')
        .send('grant_type=password&grant_type=password&username=a&password=b'),
      'invalid_request',
    );
  });

  it('TOK-17: answers a disabled user with the correct password exactly like a wrong password', async () => {
    const disabled = await signUp(t);
    await t.dataSource
      .createQueryBuilder()
      .update('users')
      .set({ disabled: true })
      .where('id = :id', { id: disabled.id })
      .execute();
    const response = await tokenRequest(t, {
      grant_type: 'password',
      username: disabled.username,
      password: PASSWORD,
    });
    const wrong = await tokenRequest(
      t,
      password({ password: 'wrong password' }),
    );
    expectOAuthError(response, 'invalid_grant');
    expect(response.text).toBe(wrong.text);
  });

  it('answers an empty body and a body without a content type with invalid_request', async () => {
    expectOAuthError(
      await request(t.server).post('/auth/token'),
      'invalid_request',
    );
    expectOAuthError(
      await request(t.server).post('/auth/token').type('form').send(''),
      'invalid_request',
    );
  });
});
