import { appAndUserForSuite } from '../support/suite.js';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { PASSWORD, bearer, signUp } from '../support/api.js';

const AUTH_LIMIT = 5;
const FAILURE_LIMIT = 3;
const FAILURE_WINDOW_SECONDS = 3;
const RATE_LIMIT = 30;

let nextIp = 1;
/** A client address of its own for each test: the suite trusts 127.0.0.1 as its proxy. */
const freshIp = () =>
  `10.0.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;

describe('I. Rate limiting and brute force', () => {
  const { t, user } = appAndUserForSuite({
    TRUST_PROXY: '127.0.0.1',
    AUTH_RATE_LIMIT: String(AUTH_LIMIT),
    RATE_LIMIT: String(RATE_LIMIT),
    LOGIN_FAILURE_LIMIT: String(FAILURE_LIMIT),
    LOGIN_FAILURE_WINDOW: String(FAILURE_WINDOW_SECONDS),
  });

  const login = (ip: string, username: string, password: string) =>
    request(t.server)
      .post('/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ username, password });
  const tokenGrant = (ip: string, form: Record<string, string>) =>
    request(t.server)
      .post('/auth/token')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send(form);

  function expect429(response: request.Response): void {
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(
      Object.keys(response.headers).some((name) => /^retry-after-/i.test(name)),
    ).toBe(false);
    const retryAfter = Number(response.headers['retry-after']);
    const message = expect.stringMatching(
      new RegExp(`; try again in ${retryAfter} seconds?$`),
    );
    // The OAuth endpoints answer in RFC 6749's shape, everything else in problem details.
    const path = (response as unknown as { req: { path: string } }).req.path;
    expect(response.body).toEqual(
      ['/auth/token', '/token', '/auth/revoke'].includes(path)
        ? { error: 'slow_down', error_description: message }
        : {
            type: 'about:blank',
            title: 'Too Many Requests',
            status: 429,
            detail: message,
          },
    );
  }

  it('RL-01, RL-08: the request after the per-IP limit is a 429 with Retry-After and a generic body', async () => {
    const ip = freshIp();
    for (let i = 0; i < AUTH_LIMIT; i++) {
      await login(ip, `nobody_${i}`, 'wrong password').expect(401);
    }
    expect429(await login(ip, user.username, PASSWORD));
  });

  it('RL-02: failed logins for one account from many IPs lock that account, known or unknown alike', async () => {
    const victim = await signUp(t);
    for (let i = 0; i < FAILURE_LIMIT; i++) {
      await login(freshIp(), victim.username, 'wrong password').expect(401);
    }
    const locked = await login(freshIp(), victim.username, PASSWORD);
    expect429(locked);
    for (let i = 0; i < FAILURE_LIMIT; i++) {
      await login(freshIp(), 'no_such_account', 'wrong password').expect(401);
    }
    const unknown = await login(freshIp(), 'no_such_account', 'wrong password');
    expect429(unknown);
    // The same answer, known account or not (the seconds left differ with the window's start).
    const withoutSeconds = (body: { detail: string }) => ({
      ...body,
      detail: body.detail.replace(/\d+ seconds?$/, 'N seconds'),
    });
    expect(withoutSeconds(unknown.body)).toEqual(withoutSeconds(locked.body));
    // The password grant shares the counter: the account is locked there too.
    expect429(
      await tokenGrant(freshIp(), {
        grant_type: 'password',
        username: victim.username,
        password: PASSWORD,
      }),
    );
  });

  it('RL-03: the lock is temporary: after the window the right password works', async () => {
    const victim = await signUp(t);
    for (let i = 0; i < FAILURE_LIMIT; i++) {
      await login(freshIp(), victim.username, 'wrong password').expect(401);
    }
    expect429(await login(freshIp(), victim.username, PASSWORD));
    await sleep((FAILURE_WINDOW_SECONDS + 0.5) * 1000);
    await login(freshIp(), victim.username, PASSWORD).expect(200);
  });

  it('RL-04: a success resets the counter', async () => {
    const victim = await signUp(t);
    for (let i = 0; i < FAILURE_LIMIT - 1; i++) {
      await login(freshIp(), victim.username, 'wrong password').expect(401);
    }
    await login(freshIp(), victim.username, PASSWORD).expect(200);
    for (let i = 0; i < FAILURE_LIMIT - 1; i++) {
      await login(freshIp(), victim.username, 'wrong password').expect(401);
    }
    await login(freshIp(), victim.username, PASSWORD).expect(200);
  });

  it.each([
    [
      'POST /auth/token (password)',
      (ip: string) =>
        tokenGrant(ip, {
          grant_type: 'password',
          username: `guess_${nextIp++}`,
          password: 'y',
        }),
    ],
    [
      'POST /auth/token (refresh)',
      (ip: string) =>
        tokenGrant(ip, { grant_type: 'refresh_token', refresh_token: 'nope' }),
    ],
    [
      'POST /auth/refresh',
      (ip: string) =>
        request(t.server)
          .post('/auth/refresh')
          .set('X-Forwarded-For', ip)
          .send({ refresh_token: 'nope' }),
    ],
    [
      'POST /auth/signup',
      (ip: string) =>
        request(t.server)
          .post('/auth/signup')
          .set('X-Forwarded-For', ip)
          .send({}),
    ],
    [
      'POST /auth/revoke',
      (ip: string) =>
        request(t.server)
          .post('/auth/revoke')
          .set('X-Forwarded-For', ip)
          .type('form')
          .send({ token: 'x' }),
    ],
    [
      'POST /users/me/password',
      (ip: string) =>
        request(t.server)
          .post('/users/me/password')
          .set('X-Forwarded-For', ip)
          .set(bearer(user.accessToken))
          // Refused by validation (400), so this measures the per-IP limit alone; wrong
          // passwords also spend the account's budget (i-password-attempts.e2e-spec.ts).
          .send({ currentPassword: 'wrong password', newPassword: 'short' }),
    ],
  ])('RL-07: %s has a limit and answers 429 past it', async (_route, send) => {
    const ip = freshIp();
    for (let i = 0; i < AUTH_LIMIT; i++)
      expect((await send(ip)).status).not.toBe(429);
    expect429(await send(ip));
  });

  it('RT-14: a burst of wrong refresh tokens from one IP is cut off with 429', async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      statuses.push(
        (
          await tokenGrant(ip, {
            grant_type: 'refresh_token',
            refresh_token: `guess-${i}`,
          })
        ).status,
      );
    }
    expect(
      statuses.slice(0, AUTH_LIMIT).every((status) => status === 400),
    ).toBe(true);
    expect(statuses.slice(AUTH_LIMIT).every((status) => status === 429)).toBe(
      true,
    );
  });

  it('RL-09: a password spray from one IP is cut off long before 50 accounts', async () => {
    const ip = freshIp();
    let refusedAt = -1;
    for (let i = 0; i < 50; i++) {
      const response = await login(ip, `spray_target_${i}`, 'Summer2024!');
      if (response.status === 429) {
        refusedAt = i;
        break;
      }
    }
    expect(refusedAt).toBe(AUTH_LIMIT);
  });

  it('limits other routes to RATE_LIMIT a minute per IP, but never the health probes', async () => {
    const ip = freshIp();
    for (let i = 0; i < RATE_LIMIT; i++) {
      await request(t.server)
        .get('/posts')
        .set('X-Forwarded-For', ip)
        .expect(200);
    }
    expect429(await request(t.server).get('/').set('X-Forwarded-For', ip));
    for (let i = 0; i < 5; i++) {
      await request(t.server)
        .get('/health/live')
        .set('X-Forwarded-For', ip)
        .expect(200);
    }
    // Another client is unaffected.
    await request(t.server)
      .get('/posts')
      .set('X-Forwarded-For', freshIp())
      .expect(200);
  });

  it('JWT-23: invalid tokens do not lock the user out', async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i++) {
      await request(t.server)
        .get('/users/me')
        .set('X-Forwarded-For', ip)
        .set(bearer('invalid.token.here'))
        .expect(401);
    }
    await request(t.server)
      .get('/users/me')
      .set('X-Forwarded-For', freshIp())
      .set(bearer(user.accessToken))
      .expect(200);
  });
});
