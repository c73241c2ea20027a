import request from 'supertest';
import { startTestApp, type TestApp } from './support/test-app.js';

// A file of its own: the application reads its configuration once per test file.
describe('RFC 8414 discovery with PUBLIC_URL set', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PUBLIC_URL: 'https://auth.example.com/warden' });
  });
  afterAll(() => t.close());

  it('names PUBLIC_URL, whatever Host the request carries', async () => {
    const response = await request(t.server)
      .get('/.well-known/oauth-authorization-server')
      .set('Host', 'attacker.example')
      .expect(200);
    expect(response.body.issuer).toBe('https://auth.example.com/warden');
    expect(response.body.token_endpoint).toBe(
      'https://auth.example.com/warden/auth/token',
    );
  });
});
