import request from 'supertest';
import { appForSuite } from '../support/suite.js';
import { PASSWORD, bearer, signUp, type TestUser } from '../support/api.js';

const LIMIT = 5;
const BURST = 60;

/**
 * The per-account budget of password checks holds under concurrency: an attempt is reserved
 * before any hashing, so a parallel burst gets exactly LIMIT verifications and 429 for the rest,
 * whichever route checks the password. (Across two instances through Redis:
 * test/process/multi-instance.e2e-spec.ts.)
 */
describe('I. Password-check budget under concurrency', () => {
  const t = appForSuite({
    LOGIN_FAILURE_LIMIT: String(LIMIT),
    LOGIN_FAILURE_WINDOW: '60',
    // One hash at a time: the burst queues behind argon2, the widest race window there is.
    PASSWORD_HASH_CONCURRENCY: '1',
  });

  const statusCounts = (responses: request.Response[]) => {
    const counts: Record<number, number> = {};
    for (const response of responses)
      counts[response.status] = (counts[response.status] ?? 0) + 1;
    return counts;
  };

  function expectLocked(response: request.Response): void {
    expect(response.status).toBe(429);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  }

  /** Each route, as a function that checks `password` for `user`. */
  const routes: [
    string,
    (user: TestUser, password: string) => request.Test,
    number,
  ][] = [
    [
      'POST /auth/login',
      (user, password) =>
        request(t.server)
          .post('/auth/login')
          .send({ username: user.username, password }),
      401,
    ],
    [
      'POST /auth/token (password grant)',
      (user, password) =>
        request(t.server).post('/auth/token').type('form').send({
          grant_type: 'password',
          username: user.email,
          password,
        }),
      400,
    ],
    [
      'PATCH /users/me (email change)',
      (user, password) =>
        request(t.server)
          .patch('/users/me')
          .set(bearer(user.accessToken))
          .send({ email: `new.${user.email}`, currentPassword: password }),
      403,
    ],
    [
      'POST /users/me/password',
      (user, password) =>
        request(t.server)
          .post('/users/me/password')
          .set(bearer(user.accessToken))
          .send({
            currentPassword: password,
            newPassword: 'an entirely new passphrase',
          }),
      403,
    ],
    [
      'DELETE /users/me',
      (user, password) =>
        request(t.server)
          .delete('/users/me')
          .set(bearer(user.accessToken))
          .send({ password }),
      403,
    ],
  ];

  it.each(routes)(
    '%s: a burst of parallel wrong passwords gets exactly the limit checked, then the right one is 429 too',
    async (_route, check, wrongStatus) => {
      const user = await signUp(t);
      const responses = await Promise.all(
        Array.from({ length: BURST }, (_, i) => check(user, `wrong ${i}`)),
      );
      expect(statusCounts(responses)).toEqual({
        [wrongStatus]: LIMIT,
        429: BURST - LIMIT,
      });
      for (const response of responses.filter((r) => r.status === 429))
        expectLocked(response);
      expectLocked(await check(user, PASSWORD));
    },
  );

  it('every route that checks a password spends the same budget as login', async () => {
    const user = await signUp(t);
    // One wrong password through each route but the last...
    for (const [, check, wrongStatus] of routes.slice(0, LIMIT - 1)) {
      expect((await check(user, 'wrong password')).status).toBe(wrongStatus);
    }
    // ...and the fifth failure, anywhere, locks all of them.
    await routes[0][1](user, 'wrong again').expect(401);
    for (const [, check] of routes) expectLocked(await check(user, PASSWORD));
  });

  it('a right password sent inside a burst, after the lock is taken, is refused', async () => {
    const user = await signUp(t);
    const login = (password: string) =>
      request(t.server)
        .post('/auth/login')
        .send({ username: user.username, password });
    const wrong = Array.from({ length: BURST }, (_, i) => login(`wrong ${i}`));
    // The first 429 proves the budget is spent while most of the burst is still queued for
    // argon2; the right password then arrives in the middle of the burst.
    const firstRefusal = await Promise.race(
      wrong.map((call) =>
        call.then((response) =>
          response.status === 429 ? response : new Promise(() => {}),
        ),
      ),
    );
    expectLocked(firstRefusal as request.Response);
    const right = await login(PASSWORD);
    const responses = await Promise.all(wrong);
    expectLocked(right);
    expect(statusCounts(responses)[401]).toBe(LIMIT);
  });

  it('an unknown account is limited exactly like a known one, in parallel', async () => {
    const responses = await Promise.all(
      Array.from({ length: BURST }, () =>
        request(t.server)
          .post('/auth/login')
          .send({ username: 'nobody_by_this_name', password: 'guess' }),
      ),
    );
    expect(statusCounts(responses)).toEqual({ 401: LIMIT, 429: BURST - LIMIT });
  });

  it('look-alike spellings of one identifier share one budget', async () => {
    const user = await signUp(t);
    const spellings = [
      user.email,
      user.email.toUpperCase(),
      // Fullwidth letters: NFKC makes them the same address.
      user.email.replace(/[a-z]/, (c) =>
        String.fromCodePoint(c.codePointAt(0)! - 0x61 + 0xff41),
      ),
    ];
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        request(t.server)
          .post('/auth/login')
          .send({ username: spellings[i % 3], password: `wrong ${i}` }),
      ),
    );
    expect(statusCounts(responses)).toEqual({ 401: LIMIT, 429: 12 - LIMIT });
  });
});
