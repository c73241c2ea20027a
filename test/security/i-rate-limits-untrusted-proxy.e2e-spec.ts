import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';

const AUTH_LIMIT = 5;

describe('I. Rate limiting without a trusted proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    // TRUST_PROXY unset: the socket address is the client, whatever X-Forwarded-For claims.
    t = await startTestApp({ AUTH_RATE_LIMIT: String(AUTH_LIMIT) });
  });
  afterAll(() => t.close());

  it('RL-05: a random X-Forwarded-For on every request does not reset the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= AUTH_LIMIT; i++) {
      const response = await request(t.server)
        .post('/auth/login')
        .set('X-Forwarded-For', `198.51.100.${i + 1}`)
        .send({ username: `nobody_${i}`, password: 'wrong password' });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([...Array<number>(AUTH_LIMIT).fill(401), 429]);
  });
});
