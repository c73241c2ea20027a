import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { bearer, signUp } from '../support/api.js';
import { scratchDirectory } from '../support/server-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('D. JWT validation with ES256 keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    const { privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
    });
    const file = join(scratchDirectory(), 'es256.pem');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    t = await startTestApp({
      JWT_ALGORITHM: 'ES256',
      JWT_PRIVATE_KEY_FILE: file,
    });
  });
  afterAll(() => t.close());

  it('signs with ES256, publishes the EC key, and verifies its own tokens', async () => {
    const user = await signUp(t);
    const header = JSON.parse(
      Buffer.from(user.accessToken.split('.')[0], 'base64url').toString(),
    );
    const jwks = (
      await request(t.server).get('/.well-known/jwks.json').expect(200)
    ).body;
    // The access-token key first, then the ID-token keys (RS256, always published; and the test
    // file's P-256 one).
    expect(jwks.keys).toHaveLength(3);
    expect(jwks.keys[1]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    expect(jwks.keys[2]).toMatchObject({ kty: 'EC', alg: 'ES256' });
    expect(jwks.keys[0]).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      alg: 'ES256',
      use: 'sig',
    });
    expect(header).toEqual({
      alg: 'ES256',
      typ: 'at+jwt',
      kid: jwks.keys[0].kid,
    });
    await request(t.server)
      .get('/users/me')
      .set(bearer(user.accessToken))
      .expect(200);
  });
});
