import request from 'supertest';
import {
  PASSWORD,
  bearer,
  makeAdmin,
  signUp,
  tokenRequest,
  type TestUser,
} from '../support/api.js';
import { decodeClaims, sign, validClaims } from '../support/jwt.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const QUOTA = 5;
const PARALLEL = 30;

/**
 * Every fact a request relies on must agree with the server's records: the session with the
 * user, the scope with the role, a quota with the rows stored, a token presented with its owner.
 */
describe('J. Claims, privilege and quotas checked against the records', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    t = await startTestApp({
      MAX_TODOS_PER_USER: String(QUOTA),
      MAX_POSTS_PER_USER: String(QUOTA),
    });
    alice = await signUp(t);
    bob = await signUp(t);
  });
  afterAll(() => t.close());

  const me = (token: string) =>
    request(t.server).get('/users/me').set(bearer(token));

  it("refuses a validly signed token whose session is another user's", async () => {
    const forged = sign({
      ...validClaims(alice),
      sid: decodeClaims(bob.accessToken).sid,
    });
    const response = await me(forged).expect(401);
    expect(response.headers['www-authenticate']).toContain(
      'error="invalid_token"',
    );
    // The genuine pair still works: the check compares, it does not refuse everything.
    await me(sign(validClaims(alice))).expect(200);
  });

  it('refuses a token whose sid is not a session id at all', async () => {
    await me(sign({ ...validClaims(alice), sid: 'not-a-uuid' })).expect(401);
    await me(sign({ ...validClaims(alice), sid: 42 })).expect(401);
  });

  it.each([
    [['exp'], 'a registered claim'],
    [['urn:example:unknown'], 'an unknown extension'],
    [[], 'an empty list'],
    ['b64', 'a malformed value'],
  ])(
    'refuses a token with a crit header (%j: %s): Warden understands no extension (RFC 7515 §4.1.11)',
    async (crit, _what) => {
      const token = sign(validClaims(alice), {
        crit,
        'urn:example:unknown': true,
      });
      await me(token).expect(401);
    },
  );

  it("an admin's token narrowed to posts:write has a user's powers over posts", async () => {
    const admin = await makeAdmin(t, await signUp(t));
    const post = await request(t.server)
      .post('/posts')
      .set(bearer(alice.accessToken))
      .send({ title: 'Mine', content: 'Only mine' })
      .expect(201);
    const narrowed = await tokenRequest(t, {
      grant_type: 'password',
      username: admin.username,
      password: PASSWORD,
      scope: 'posts:write',
    }).expect(200);
    expect(narrowed.body.scope).toBe('posts:write');
    const narrowToken = narrowed.body.access_token as string;
    await request(t.server)
      .patch(`/posts/${post.body.id}`)
      .set(bearer(narrowToken))
      .send({ title: 'Defaced' })
      .expect(403);
    await request(t.server)
      .delete(`/posts/${post.body.id}`)
      .set(bearer(narrowToken))
      .expect(403);
    // With the admin scope as well, the admin may.
    const full = await tokenRequest(t, {
      grant_type: 'password',
      username: admin.username,
      password: PASSWORD,
      scope: 'posts:write users:admin',
    }).expect(200);
    await request(t.server)
      .patch(`/posts/${post.body.id}`)
      .set(bearer(full.body.access_token as string))
      .send({ title: 'Moderated' })
      .expect(200);
    // And a user-role token that somehow names users:admin is never an admin.
    const claims = { ...validClaims(bob), scope: 'posts:write users:admin' };
    await request(t.server)
      .delete(`/posts/${post.body.id}`)
      .set(bearer(sign(claims)))
      .expect(403);
  });

  it.each([
    ['todos', { title: 'parallel' }],
    ['posts', { title: 'parallel', content: 'parallel' }],
  ])(
    `%s: ${PARALLEL} parallel creates store exactly the quota of ${QUOTA}`,
    async (resource, body) => {
      const owner = await signUp(t);
      const responses = await Promise.all(
        Array.from({ length: PARALLEL }, () =>
          request(t.server)
            .post(`/${resource}`)
            .set(bearer(owner.accessToken))
            .send(body),
        ),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses.filter((status) => status === 201)).toHaveLength(QUOTA);
      expect(statuses.filter((status) => status === 400)).toHaveLength(
        PARALLEL - QUOTA,
      );
      const query =
        resource === 'todos'
          ? '/todos?limit=100'
          : `/posts?authorId=${owner.id}`;
      const stored = await request(t.server)
        .get(query)
        .set(bearer(owner.accessToken))
        .expect(200);
      expect(stored.headers['x-total-count']).toBe(String(QUOTA));
    },
  );

  describe('a token presented to /auth/logout or /auth/revoke must be valid and yours', () => {
    it("logout with your bearer token and someone else's refresh token ends only your session", async () => {
      const victim = await signUp(t);
      const attacker = await signUp(t);
      await request(t.server)
        .post('/auth/logout')
        .set(bearer(attacker.accessToken))
        .send({ refresh_token: victim.refreshToken })
        .expect(204);
      await me(victim.accessToken).expect(200);
      await tokenRequest(t, {
        grant_type: 'refresh_token',
        refresh_token: victim.refreshToken!,
      }).expect(200);
      await me(attacker.accessToken).expect(401);
    });

    it("revoke with your bearer token and someone else's token revokes nothing", async () => {
      const victim = await signUp(t);
      const attacker = await signUp(t);
      await request(t.server)
        .post('/auth/revoke')
        .set(bearer(attacker.accessToken))
        .type('form')
        .send({ token: victim.refreshToken! })
        .expect(200);
      await me(victim.accessToken).expect(200);
      await me(attacker.accessToken).expect(200);
    });

    it.each(['/auth/logout', '/auth/revoke'])(
      '%s refuses an invalid, expired or malformed bearer token instead of treating it as anonymous',
      async (path) => {
        const victim = await signUp(t);
        const expired = sign({
          ...validClaims(victim),
          iat: Math.floor(Date.now() / 1000) - 1000,
          exp: Math.floor(Date.now() / 1000) - 100,
        });
        for (const [authorization, status] of [
          ['Bearer not-a-token', 401],
          [`Bearer ${expired}`, 401],
          [
            `Bearer ${sign(validClaims(victim), {}, { secret: 'x'.repeat(40) })}`,
            401,
          ],
          ['Bearer two words', 400],
        ] as const) {
          const call = request(t.server)
            .post(path)
            .set('Authorization', authorization);
          const response =
            path === '/auth/logout'
              ? await call.send({ refresh_token: victim.refreshToken })
              : await call.type('form').send({ token: victim.refreshToken! });
          expect(response.status, authorization).toBe(status);
          expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
        }
        // Nothing was ended by any of those.
        await me(victim.accessToken).expect(200);
        // Without any Authorization header, possession of the refresh token is the authority.
        const anonymous = request(t.server).post(path);
        if (path === '/auth/logout')
          await anonymous
            .send({ refresh_token: victim.refreshToken })
            .expect(204);
        else
          await anonymous
            .type('form')
            .send({ token: victim.refreshToken! })
            .expect(200);
        await me(victim.accessToken).expect(401);
      },
    );
  });
});
