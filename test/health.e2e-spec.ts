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
    expect(ready.headers['content-type']).toMatch(
      /^application\/problem\+json/,
    );
    // Which indicator is down, but not the address or the driver's message: those are logged.
    expect(ready.body).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'Not ready: redis down',
      checks: { database: { status: 'up' }, redis: { status: 'down' } },
    });
    expect(ready.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|:1\b/);
    await request(t.server).get('/health/live').expect(200);
  });

  it('answers /health/ready with 503 when the database is gone, and /health/live still 200', async () => {
    await t.dataSource.destroy();
    const ready = await request(t.server).get('/health/ready').expect(503);
    expect(ready.body.checks.database).toEqual({ status: 'down' });
    expect(ready.body.detail).toBe('Not ready: database and redis down');
    await request(t.server).get('/health/live').expect(200);
  });
});
