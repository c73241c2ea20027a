import * as client from 'openid-client';
import request from 'supertest';
import { PASSWORD, signUp, type TestUser } from './support/api.js';
import { decodeClaims } from './support/jwt.js';
import { freePort } from './support/server-process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * A standard OAuth client that nobody here wrote (openid-client 6, on oauth4webapi) configures
 * itself from the RFC 8414 metadata and runs the password grant, a refresh and a revocation
 * against the real server over HTTP, unmodified.
 */
describe('RFC 8414 discovery with openid-client', () => {
  let t: TestApp;
  let user: TestUser;
  let baseUrl: URL;
  let config: client.Configuration;
  beforeAll(async () => {
    // PUBLIC_URL is where clients reach it: the issuer they discover must be that origin.
    const port = await freePort();
    t = await startTestApp({ PUBLIC_URL: `http://127.0.0.1:${port}` });
    await t.app.listen({ port, host: '127.0.0.1' });
    baseUrl = new URL(`http://127.0.0.1:${port}`);
    user = await signUp(t);
    config = await client.discovery(
      baseUrl,
      'any-client-id',
      undefined,
      client.None(),
      { algorithm: 'oauth2', execute: [client.allowInsecureRequests] },
    );
  });
  afterAll(() => t.close());

  it('serves the metadata the RFC asks for, from PUBLIC_URL whatever the Host header says', async () => {
    const response = await request(t.server)
      .get('/.well-known/oauth-authorization-server')
      .set('Host', 'evil.example')
      .set('X-Forwarded-Host', 'evil.example')
      .set('X-Forwarded-Proto', 'https')
      .expect(200);
    const issuer = baseUrl.origin;
    expect(response.body).toEqual({
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/auth/token`,
      revocation_endpoint: `${issuer}/auth/revoke`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      scopes_supported: [
        'openid',
        'profile',
        'email',
        'account',
        'todos:read',
        'todos:write',
        'posts:write',
        'users:admin',
        'users:read',
      ],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: [
        'authorization_code',
        'password',
        'refresh_token',
        'urn:warden:params:oauth:grant-type:mfa-otp',
        'client_credentials',
      ],
      code_challenge_methods_supported: ['S256'],
      dpop_signing_alg_values_supported: ['ES256', 'RS256', 'PS256'],
      authorization_response_iss_parameter_supported: true,
      token_endpoint_auth_methods_supported: [
        'none',
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
      ],
      token_endpoint_auth_signing_alg_values_supported: [
        'RS256',
        'PS256',
        'ES256',
      ],
      revocation_endpoint_auth_methods_supported: [
        'none',
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
      ],
      revocation_endpoint_auth_signing_alg_values_supported: [
        'RS256',
        'PS256',
        'ES256',
      ],
      introspection_endpoint: `${issuer}/auth/introspect`,
      introspection_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
      ],
      introspection_endpoint_auth_signing_alg_values_supported: [
        'RS256',
        'PS256',
        'ES256',
      ],
      service_documentation: `${issuer}/docs`,
    });
    expect(config.serverMetadata().token_endpoint).toBe(`${issuer}/auth/token`);
  });

  it('signs in with the password grant, refreshes, revokes, and sees the refresh refused', async () => {
    const tokens = await client.genericGrantRequest(config, 'password', {
      username: user.username,
      password: PASSWORD,
      scope: 'account todos:read',
    });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('account todos:read');
    // One issuer: what the tokens say is what discovery said.
    expect(
      (decodeClaims(tokens.access_token) as unknown as { iss: string }).iss,
    ).toBe(config.serverMetadata().issuer);
    const me = await client.fetchProtectedResource(
      config,
      tokens.access_token,
      new URL('/users/me', baseUrl),
      'GET',
    );
    expect(me.status).toBe(200);

    const refreshed = await client.refreshTokenGrant(
      config,
      tokens.refresh_token!,
    );
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    await client.tokenRevocation(config, refreshed.refresh_token!);
    await expect(
      client.refreshTokenGrant(config, refreshed.refresh_token!),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('reads a wrong password as an RFC 6749 error', async () => {
    await expect(
      client.genericGrantRequest(config, 'password', {
        username: user.username,
        password: 'not the password',
      }),
    ).rejects.toMatchObject({
      error: 'invalid_grant',
      error_description: 'Incorrect username or password',
    });
  });
});
