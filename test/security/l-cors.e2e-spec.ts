import request from 'supertest';
import { appForSuite } from '../support/suite.js';

const ALLOWED = 'https://app.example.com';

describe('L. CORS with CORS_ORIGINS', () => {
  const t = appForSuite({
    CORS_ORIGINS: `${ALLOWED},http://localhost:5173`,
  });

  const preflight = (origin: string) =>
    request(t.server)
      .options('/todos')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');

  it('HDR-06: an evil origin and the null origin get no Access-Control-Allow-Origin', async () => {
    for (const origin of [
      'https://evil.example',
      'null',
      `${ALLOWED}.evil.example`,
    ]) {
      const response = await preflight(origin);
      expect(
        response.headers['access-control-allow-origin'],
        origin,
      ).toBeUndefined();
    }
  });

  it('HDR-06: an allowed origin is echoed exactly, with Vary: Origin, never * with credentials', async () => {
    const response = await preflight(ALLOWED);
    expect(response.status).toBeLessThan(300);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(response.headers['vary']).toMatch(/Origin/);
    expect(
      response.headers['access-control-allow-credentials'],
    ).toBeUndefined();
    const actual = await request(t.server).get('/posts').set('Origin', ALLOWED);
    expect(actual.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(actual.headers['access-control-expose-headers']).toMatch(
      /X-Total-Count/,
    );
  });
});
