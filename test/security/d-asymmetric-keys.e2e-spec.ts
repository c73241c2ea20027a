import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { bearer, signUp, type TestUser } from '../support/api.js';
import { base64url, decodeClaims, validClaims } from '../support/jwt.js';
import { scratchDirectory } from '../support/server-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const INVALID_TOKEN = 'Bearer realm="warden", error="invalid_token"';

function rsaKeyFiles(
  dir: string,
  name: string,
): {
  privateKey: KeyObject;
  privateFile: string;
  publicFile: string;
  publicPem: string;
} {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
  });
  const privateFile = join(dir, `${name}.key.pem`);
  const publicFile = join(dir, `${name}.pub.pem`);
  const publicPem = publicKey
    .export({ type: 'spki', format: 'pem' })
    .toString();
  writeFileSync(
    privateFile,
    privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );
  writeFileSync(publicFile, publicPem);
  return { privateKey, privateFile, publicFile, publicPem };
}

describe('D. JWT validation with RS256 keys, a JWKS and a previous key during rotation', () => {
  const dir = scratchDirectory();
  const current = rsaKeyFiles(dir, 'current');
  const previous = rsaKeyFiles(dir, 'previous');
  const attacker = rsaKeyFiles(dir, 'attacker');
  let t: TestApp;
  let user: TestUser;
  let jwks: {
    keys: {
      kid: string;
      kty: string;
      alg: string;
      use: string;
      n: string;
      e: string;
      d?: string;
    }[];
  };

  beforeAll(async () => {
    t = await startTestApp({
      JWT_ALGORITHM: 'RS256',
      JWT_PRIVATE_KEY_FILE: current.privateFile,
      JWT_PREVIOUS_PUBLIC_KEY_FILE: previous.publicFile,
    });
    user = await signUp(t);
    jwks = (await request(t.server).get('/.well-known/jwks.json').expect(200))
      .body;
  });
  afterAll(() => t.close());

  const me = (token: string) =>
    request(t.server).get('/users/me').set(bearer(token));
  async function expectInvalidToken(token: string): Promise<void> {
    const response = await me(token).expect(401);
    expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN);
  }
  const signRs = (
    key: KeyObject,
    kid: string | undefined,
    claims = validClaims(user),
  ) =>
    jwt.sign(claims, key, {
      algorithm: 'RS256',
      header: { alg: 'RS256', typ: 'at+jwt', ...(kid ? { kid } : {}) },
    });

  it('issues RS256 tokens with the kid of the current key', async () => {
    const header = JSON.parse(
      Buffer.from(user.accessToken.split('.')[0], 'base64url').toString(),
    );
    expect(header).toEqual({
      alg: 'RS256',
      typ: 'at+jwt',
      kid: jwks.keys[0].kid,
    });
    await me(user.accessToken).expect(200);
  });

  it('publishes the current and the previous public key, and no private parts', () => {
    // The two access-token keys, then the ID-token keys (RSA, and the test file's P-256 one).
    expect(jwks.keys).toHaveLength(4);
    expect(jwks.keys[3]).toMatchObject({ kty: 'EC', alg: 'ES256' });
    for (const key of jwks.keys.slice(0, 3)) {
      expect(key).toMatchObject({
        kty: 'RSA',
        alg: 'RS256',
        use: 'sig',
        kid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      expect(key.d).toBeUndefined();
    }
    expect(jwks.keys[0].n).toBe(current.privateKey.export({ format: 'jwk' }).n);
  });

  it('accepts a token signed by the previous key during the rotation window', async () => {
    await me(signRs(previous.privateKey, jwks.keys[1].kid)).expect(200);
  });

  it('JWT-08: refuses a token from an attacker key, with our kid, with no kid, or with the key embedded', async () => {
    await expectInvalidToken(signRs(attacker.privateKey, jwks.keys[0].kid));
    await expectInvalidToken(signRs(attacker.privateKey, 'attacker-kid'));
    await expectInvalidToken(signRs(current.privateKey, undefined));
    const embedded = jwt.sign(validClaims(user), attacker.privateKey, {
      algorithm: 'RS256',
      header: {
        alg: 'RS256',
        typ: 'at+jwt',
        kid: jwks.keys[0].kid,
        jwk: attacker.privateKey.export({ format: 'jwk' }),
      } as jwt.JwtHeader,
    });
    await expectInvalidToken(embedded);
  });

  it('JWT-08(e): refuses an HS256 token MACed with the server public key', async () => {
    for (const secret of [current.publicPem, Buffer.from(current.publicPem)]) {
      const input = `${base64url({ alg: 'HS256', typ: 'at+jwt', kid: jwks.keys[0].kid })}.${base64url(validClaims(user))}`;
      const mac = createHmac('sha256', secret)
        .update(input)
        .digest('base64url');
      await expectInvalidToken(`${input}.${mac}`);
    }
  });

  it('keeps every other claim check in RS256 mode (typ, lifetime)', async () => {
    const key = current.privateKey;
    const kid = jwks.keys[0].kid;
    await expectInvalidToken(
      jwt.sign(validClaims(user), key, {
        algorithm: 'RS256',
        header: { alg: 'RS256', typ: 'JWT', kid },
      }),
    );
    const now = Math.floor(Date.now() / 1000);
    await expectInvalidToken(
      signRs(key, kid, { ...validClaims(user), iat: now, exp: now + 86400 }),
    );
    expect(decodeClaims(user.accessToken).sub).toBe(user.id);
  });

  it('revokes an RS256 access token at /auth/revoke', async () => {
    const other = await signUp(t);
    await request(t.server)
      .post('/auth/revoke')
      .type('form')
      .send({ token: other.accessToken })
      .expect(200);
    await expectInvalidToken(other.accessToken);
  });
});
