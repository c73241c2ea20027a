import request from 'supertest';
import {
  PASSWORD,
  bearer,
  disableUser,
  makeAdmin,
  signUp,
  tokenRequest,
  type TestUser,
} from '../support/api.js';
import { decodeClaims } from '../support/jwt.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const INVALID_TOKEN = 'Bearer realm="warden", error="invalid_token"';

describe('Sessions: refresh-token rotation, reuse detection, logout and revocation', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await makeAdmin(t, await signUp(t));
  });
  afterAll(() => t.close());

  const refreshGrant = (
    refreshToken: string,
    extra: Record<string, string> = {},
  ) =>
    tokenRequest(t, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      ...extra,
    });
  const passwordGrant = (user: TestUser, extra: Record<string, string> = {}) =>
    tokenRequest(t, {
      grant_type: 'password',
      username: user.username,
      password: PASSWORD,
      ...extra,
    });
  const me = (accessToken: string) =>
    request(t.server).get('/users/me').set(bearer(accessToken));
  function expectInvalidGrant(response: request.Response): void {
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_grant');
    expect(response.headers['cache-control']).toBe('no-store');
  }
  async function expectRefusedAccessToken(accessToken: string): Promise<void> {
    const response = await me(accessToken).expect(401);
    expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN);
  }
  const countRefreshTokens = async (sessionId: string) =>
    Number(
      (
        await t.dataSource
          .createQueryBuilder()
          .select('COUNT(*)', 'n')
          .from('refresh_tokens', 'rt')
          .where('rt."sessionId" = :sessionId', { sessionId })
          .getRawOne()
      ).n,
    );

  describe('E. Refresh tokens', () => {
    it('RT-01: rotates: a new access token and a new refresh token, and the old one is spent', async () => {
      const user = await signUp(t);
      const first = await passwordGrant(user, { client_id: 'web' }).expect(200);
      const rt1 = first.body.refresh_token;
      const second = await refreshGrant(rt1, { client_id: 'web' }).expect(200);
      expect(second.headers['cache-control']).toBe('no-store');
      expect(second.body.refresh_token).not.toBe(rt1);
      expect(second.body.access_token).not.toBe(first.body.access_token);
      expect(decodeClaims(second.body.access_token).sid).toBe(
        decodeClaims(first.body.access_token).sid,
      );
      await me(second.body.access_token).expect(200);
      expectInvalidGrant(await refreshGrant(rt1));
    });

    it('RT-02: ends the whole session when a rotated token comes back', async () => {
      const user = await signUp(t);
      const login = await passwordGrant(user).expect(200);
      const rt1 = login.body.refresh_token;
      const rotated = await refreshGrant(rt1).expect(200);
      await me(rotated.body.access_token).expect(200);

      expectInvalidGrant(await refreshGrant(rt1));
      expectInvalidGrant(await refreshGrant(rotated.body.refresh_token));
      await expectRefusedAccessToken(rotated.body.access_token);
      await expectRefusedAccessToken(login.body.access_token);
      // Other sessions of the same user are not affected.
      await me(user.accessToken).expect(200);
    });

    it('RT-03: lets exactly one of ten parallel refreshes win and stores exactly one successor', async () => {
      const user = await signUp(t);
      const login = await passwordGrant(user).expect(200);
      const sessionId = decodeClaims(login.body.access_token).sid;
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          refreshGrant(login.body.refresh_token),
        ),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([200, ...Array<number>(9).fill(400)]);
      for (const response of responses.filter((r) => r.status === 400)) {
        expect(response.body.error).toBe('invalid_grant');
      }
      // The login's token plus exactly one successor.
      expect(await countRefreshTokens(sessionId)).toBe(2);
    });

    it('RT-04: answers an unknown refresh token with invalid_grant', async () => {
      expectInvalidGrant(await refreshGrant('x'.repeat(43)));
    });

    it('RT-05: answers a missing refresh_token with invalid_request', async () => {
      const response = await tokenRequest(t, {
        grant_type: 'refresh_token',
      }).expect(400);
      expect(response.body.error).toBe('invalid_request');
    });

    it('RT-06: answers an access token used as a refresh token with invalid_grant', async () => {
      const user = await signUp(t);
      expectInvalidGrant(await refreshGrant(user.accessToken));
    });

    it('RT-09: refuses after (a) logout, (b) password change, (c) disable and (d) delete', async () => {
      const a = await signUp(t);
      await request(t.server)
        .post('/auth/logout')
        .send({ refresh_token: a.refreshToken })
        .expect(204);
      expectInvalidGrant(await refreshGrant(a.refreshToken!));

      const b = await signUp(t);
      const other = await passwordGrant(b).expect(200);
      await request(t.server)
        .post('/users/me/password')
        .set(bearer(b.accessToken))
        .send({
          currentPassword: PASSWORD,
          newPassword: 'a brand new passphrase',
        })
        .expect(204);
      expectInvalidGrant(await refreshGrant(other.body.refresh_token));

      const c = await signUp(t);
      await disableUser(t, admin, c.id);
      expectInvalidGrant(await refreshGrant(c.refreshToken!));

      const d = await signUp(t);
      await request(t.server)
        .delete('/users/me')
        .set(bearer(d.accessToken))
        .send({ password: PASSWORD })
        .expect(204);
      expectInvalidGrant(await refreshGrant(d.refreshToken!));
    });

    it('RT-10: grants a narrower scope on refresh and refuses a wider one without spending the token', async () => {
      const user = await signUp(t);
      const login = await passwordGrant(user, {
        scope: 'account todos:read',
      }).expect(200);
      const wider = await refreshGrant(login.body.refresh_token, {
        scope: 'account todos:write',
      });
      expect(wider.status).toBe(400);
      expect(wider.body.error).toBe('invalid_scope');
      const unknown = await refreshGrant(login.body.refresh_token, {
        scope: 'admin',
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error).toBe('invalid_scope');
      const narrower = await refreshGrant(login.body.refresh_token, {
        scope: 'todos:read',
      }).expect(200);
      expect(narrower.body.scope).toBe('todos:read');
      await request(t.server)
        .get('/todos')
        .set(bearer(narrower.body.access_token))
        .expect(200);
      await me(narrower.body.access_token).expect(403);
      // The session keeps its scope: the next refresh may ask for account again.
      const again = await refreshGrant(narrower.body.refresh_token).expect(200);
      expect(again.body.scope).toBe('account todos:read');
    });

    it('RT-12: issues refresh tokens of 256 random bits and stores only their SHA-256', async () => {
      const user = await signUp(t);
      const token = user.refreshToken!;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect(token).not.toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
      const { createHash } = await import('node:crypto');
      const hash = createHash('sha256').update(token).digest('hex');
      const rows: { tokenHash: string }[] = await t.dataSource
        .createQueryBuilder()
        .select('rt."tokenHash"', 'tokenHash')
        .from('refresh_tokens', 'rt')
        .where('rt."sessionId" = :sid', {
          sid: decodeClaims(user.accessToken).sid,
        })
        .getRawMany();
      expect(rows.map((row) => row.tokenHash)).toEqual([hash]);
      const dump = JSON.stringify(
        await t.dataSource.query('SELECT * FROM "refresh_tokens"'),
      );
      expect(dump).not.toContain(token);
    });

    it('RT-13: does not consume a refresh token sent with GET', async () => {
      const user = await signUp(t);
      const response = await request(t.server).get(
        `/token?grant_type=refresh_token&refresh_token=${user.refreshToken}`,
      );
      expect([404, 405]).toContain(response.status);
      await refreshGrant(user.refreshToken!).expect(200);
    });

    it('serves POST /auth/refresh with JSON, rotating, and 401 on failure', async () => {
      const user = await signUp(t);
      const response = await request(t.server)
        .post('/auth/refresh')
        .send({ refresh_token: user.refreshToken })
        .expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body.refresh_token).not.toBe(user.refreshToken);
      const reused = await request(t.server)
        .post('/auth/refresh')
        .send({ refresh_token: user.refreshToken })
        .expect(401);
      expect(reused.body.detail).toBe(
        'The refresh token is invalid, expired or revoked',
      );
      await request(t.server).post('/auth/refresh').send({}).expect(400);
    });
  });

  describe('F. Revocation (RFC 7009) and logout', () => {
    const revoke = (form: Record<string, string>, accessToken?: string) => {
      const call = request(t.server).post('/auth/revoke').type('form');
      return (accessToken ? call.set(bearer(accessToken)) : call).send(form);
    };

    it('REV-01: revokes a refresh token and the access tokens of its session', async () => {
      const user = await signUp(t);
      await revoke({
        token: user.refreshToken!,
        token_type_hint: 'refresh_token',
      }).expect(200);
      expectInvalidGrant(await refreshGrant(user.refreshToken!));
      await expectRefusedAccessToken(user.accessToken);
    });

    it('REV-02, REV-03: answers garbage with 200 and a missing token with invalid_request', async () => {
      await revoke({ token: 'garbage' }).expect(200);
      const missing = await revoke({ token_type_hint: 'refresh_token' }).expect(
        400,
      );
      expect(missing.body.error).toBe('invalid_request');
      expect(missing.headers['cache-control']).toBe('no-store');
    });

    it.each(['access_token', 'foo'])(
      'REV-04: revokes a refresh token whatever the hint says: %s',
      async (hint) => {
        const user = await signUp(t);
        await revoke({
          token: user.refreshToken!,
          token_type_hint: hint,
        }).expect(200);
        expectInvalidGrant(await refreshGrant(user.refreshToken!));
      },
    );

    it('REV-05: revokes an access token: its session ends and it is refused at once', async () => {
      const user = await signUp(t);
      await me(user.accessToken).expect(200);
      await revoke({ token: user.accessToken }).expect(200);
      await expectRefusedAccessToken(user.accessToken);
      expectInvalidGrant(await refreshGrant(user.refreshToken!));
    });

    it('REV-07: answers 200 for an already-revoked token', async () => {
      const user = await signUp(t);
      await revoke({ token: user.refreshToken! }).expect(200);
      await revoke({ token: user.refreshToken! }).expect(200);
    });

    it('REV-08: does not revoke from the query string', async () => {
      const user = await signUp(t);
      const response = await request(t.server).get(
        `/auth/revoke?token=${user.refreshToken}`,
      );
      expect([404, 405]).toContain(response.status);
      await request(t.server)
        .post(`/auth/revoke?token=${user.refreshToken}`)
        .type('form')
        .send('')
        .expect(400);
      await refreshGrant(user.refreshToken!).expect(200);
    });

    it("does nothing when a signed-in user revokes someone else's token", async () => {
      const victim = await signUp(t);
      const attacker = await signUp(t);
      await revoke(
        { token: victim.refreshToken! },
        attacker.accessToken,
      ).expect(200);
      await me(victim.accessToken).expect(200);
      await refreshGrant(victim.refreshToken!).expect(200);
    });

    it('REV-09: lists only the caller’s sessions and ends one by id; another user’s id is 404', async () => {
      const user = await signUp(t);
      const phone = await passwordGrant(user).expect(200);
      const other = await signUp(t);
      const listed = await request(t.server)
        .get('/auth/sessions')
        .set(bearer(user.accessToken))
        .expect(200);
      expect(listed.headers['cache-control']).toBe('no-store');
      expect(listed.body).toHaveLength(2);
      const current = decodeClaims(user.accessToken).sid;
      const phoneSid = decodeClaims(phone.body.access_token).sid;
      expect(listed.body.map((s: { id: string }) => s.id).sort()).toEqual(
        [current, phoneSid].sort(),
      );
      expect(
        listed.body.find((s: { id: string }) => s.id === current),
      ).toMatchObject({
        current: true,
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        expiresAt: expect.any(String),
        ip: expect.any(String),
      });

      await request(t.server)
        .delete(`/auth/sessions/${decodeClaims(other.accessToken).sid}`)
        .set(bearer(user.accessToken))
        .expect(404);
      await me(other.accessToken).expect(200);

      await request(t.server)
        .delete(`/auth/sessions/${phoneSid}`)
        .set(bearer(user.accessToken))
        .expect(204);
      await expectRefusedAccessToken(phone.body.access_token);
      expectInvalidGrant(await refreshGrant(phone.body.refresh_token));
      await me(user.accessToken).expect(200);
      const after = await request(t.server)
        .get('/auth/sessions')
        .set(bearer(user.accessToken))
        .expect(200);
      expect(after.body.map((s: { id: string }) => s.id)).toEqual([current]);
      await request(t.server)
        .delete(`/auth/sessions/${phoneSid}`)
        .set(bearer(user.accessToken))
        .expect(404);
    });

    it('AUTH-09: logs out with a refresh token: the access token is refused, the refresh token spent', async () => {
      const user = await signUp(t);
      await request(t.server)
        .post('/auth/logout')
        .set(bearer(user.accessToken))
        .send({ refresh_token: user.refreshToken })
        .expect(204);
      await expectRefusedAccessToken(user.accessToken);
      expectInvalidGrant(await refreshGrant(user.refreshToken!));
    });

    it('logs out the bearer token’s session when no refresh token is sent, and answers 204 to unknown tokens', async () => {
      const user = await signUp(t);
      await request(t.server)
        .post('/auth/logout')
        .set(bearer(user.accessToken))
        .send({})
        .expect(204);
      await expectRefusedAccessToken(user.accessToken);
      await request(t.server)
        .post('/auth/logout')
        .send({ refresh_token: 'unknown' })
        .expect(204);
      await request(t.server)
        .post('/auth/logout')
        .send({ refresh_token: 5 })
        .expect(400);
    });

    it('logs out everywhere with logout-all', async () => {
      const user = await signUp(t);
      const second = await passwordGrant(user).expect(200);
      await request(t.server)
        .post('/auth/logout-all')
        .set(bearer(user.accessToken))
        .expect(204);
      await expectRefusedAccessToken(user.accessToken);
      await expectRefusedAccessToken(second.body.access_token);
      expectInvalidGrant(await refreshGrant(second.body.refresh_token));
      await request(t.server).post('/auth/logout-all').expect(401);
    });
  });

  describe('B. Account changes end sessions at once', () => {
    it('AUTH-10: password change: wrong current password 403; then other sessions end, this one stays', async () => {
      const user = await signUp(t);
      const laptop = await passwordGrant(user).expect(200);
      await request(t.server)
        .post('/users/me/password')
        .set(bearer(user.accessToken))
        .send({
          currentPassword: 'wrong password',
          newPassword: 'a brand new passphrase',
        })
        .expect(403);
      await request(t.server)
        .post('/users/me/password')
        .set(bearer(user.accessToken))
        .send({ currentPassword: PASSWORD, newPassword: 'short' })
        .expect(400);
      await me(laptop.body.access_token).expect(200);

      await request(t.server)
        .post('/users/me/password')
        .set(bearer(user.accessToken))
        .send({
          currentPassword: PASSWORD,
          newPassword: 'a brand new passphrase',
        })
        .expect(204);
      await expectRefusedAccessToken(laptop.body.access_token);
      expectInvalidGrant(await refreshGrant(laptop.body.refresh_token));
      await me(user.accessToken).expect(200);
      expectInvalidGrant(await passwordGrant(user));
      await tokenRequest(t, {
        grant_type: 'password',
        username: user.username,
        password: 'a brand new passphrase',
      }).expect(200);
    });

    it('AUTH-14: admin disable ends every session; the user cannot sign in; admin routes need the admin role', async () => {
      const user = await signUp(t);
      const second = await passwordGrant(user).expect(200);
      await request(t.server)
        .patch(`/users/${admin.id}`)
        .set(bearer(user.accessToken))
        .send({ disabled: true })
        .expect(403);
      await disableUser(t, admin, user.id);
      await expectRefusedAccessToken(user.accessToken);
      await expectRefusedAccessToken(second.body.access_token);
      expectInvalidGrant(await refreshGrant(second.body.refresh_token));
      expectInvalidGrant(await passwordGrant(user));
      const shown = await request(t.server)
        .get(`/users/${user.id}`)
        .set(bearer(admin.accessToken))
        .expect(200);
      expect(shown.body.disabled).toBe(true);
    });

    it('a demoted admin loses admin access at once, with the same token', async () => {
      const second = await makeAdmin(t, await signUp(t));
      await request(t.server)
        .get('/users')
        .set(bearer(second.accessToken))
        .expect(200);
      await request(t.server)
        .patch(`/users/${second.id}`)
        .set(bearer(admin.accessToken))
        .send({ roles: ['user'] })
        .expect(200);
      await request(t.server)
        .get('/users')
        .set(bearer(second.accessToken))
        .expect(403);
    });
  });
});
