import request from 'supertest';
import { appForSuite } from './support/suite.js';
import { signUp } from './support/api.js';
import { decodeClaims } from './support/jwt.js';

// A file of its own: the application reads its configuration once per test file.
describe('RFC 8414 discovery with PUBLIC_URL set', () => {
  const t = appForSuite({ PUBLIC_URL: 'https://auth.example.com' });

  it('names PUBLIC_URL, whatever Host the request carries, and signs tokens with it as iss', async () => {
    const response = await request(t.server)
      .get('/.well-known/oauth-authorization-server')
      .set('Host', 'attacker.example')
      .set('X-Forwarded-Host', 'attacker.example')
      .expect(200);
    expect(response.body.issuer).toBe('https://auth.example.com');
    expect(response.body.token_endpoint).toBe(
      'https://auth.example.com/auth/token',
    );
    const user = await signUp(t);
    expect(
      (decodeClaims(user.accessToken) as unknown as { iss: string }).iss,
    ).toBe('https://auth.example.com');
  });
});
