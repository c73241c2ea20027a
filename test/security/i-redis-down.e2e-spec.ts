import request from 'supertest';
import { PASSWORD, bearer, signUp } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const AUTH_LIMIT = 5;

describe('I. Redis unavailable', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 1: Redis is down from the start.
    t = await startTestApp({
      REDIS_URL: 'redis://127.0.0.1:1',
      AUTH_RATE_LIMIT: String(AUTH_LIMIT),
    });
  });
  afterAll(() => t.close());

  it('refuses ended sessions at once even without the shared cache channel', async () => {
    const user = await signUp(t);
    await request(t.server)
      .get('/users/me')
      .set(bearer(user.accessToken))
      .expect(200);
    await request(t.server)
      .post('/auth/logout')
      .set(bearer(user.accessToken))
      .send({})
      .expect(204);
    await request(t.server)
      .get('/users/me')
      .set(bearer(user.accessToken))
      .expect(401);
  });

  it('RL-10: limits fall back to this instance (never unlimited) and sign-in keeps working', async () => {
    const user = await signUp(t);
    await request(t.server)
      .get('/users/me')
      .set(bearer(user.accessToken))
      .expect(200);
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_LIMIT; i++) {
      statuses.push(
        (
          await request(t.server)
            .post('/auth/login')
            .send({ username: user.username, password: PASSWORD })
        ).status,
      );
    }
    // The two signups and the logout spent three requests of the budget.
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
  });
});
