import request from 'supertest';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('Health when a dependency is down', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 1: Redis is configured but down.
    t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(() => t.close());

  it('answers /health/ready with 503 naming Redis, while /health/live stays 200', async () => {
    const ready = await request(t.server).get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({
      status: 'error',
      info: { database: { status: 'up' } },
      error: { redis: { status: 'down' } },
    });
    // Which indicator is down, but not the address or the driver's message: those are logged.
    expect(ready.body.error.redis).toEqual({ status: 'down' });
    expect(ready.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|:1\b/);
    await request(t.server).get('/health/live').expect(200);
  });

  it('answers /health/ready with 503 when the database is gone, and /health/live still 200', async () => {
    await t.dataSource.destroy();
    const ready = await request(t.server).get('/health/ready').expect(503);
    expect(ready.body.error.database).toEqual({ status: 'down' });
    await request(t.server).get('/health/live').expect(200);
  });
});
