import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import {
  PASSWORD,
  signUp,
  tokenRequest,
  type TestUser,
} from '../support/api.js';
import { base64url, sign, validClaims } from '../support/jwt.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CHALLENGE = 'Bearer realm="warden"';
const INVALID_TOKEN = 'Bearer realm="warden", error="invalid_token"';

describe('C and D. Bearer tokens on protected routes (RFC 6750, RFC 8725)', () => {
  let t: TestApp;
  let user: TestUser;
  let other: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await signUp(t);
    other = await signUp(t);
  });
  afterAll(() => t.close());

  const me = (authorization?: string) => {
    const call = request(t.server).get('/users/me');
    return authorization === undefined
      ? call
      : call.set('Authorization', authorization);
  };

  /** "401-IT": 401, the invalid_token challenge, a generic body with no library text. */
  async function expectInvalidToken(token: string): Promise<void> {
    const response = await me(`Bearer ${token}`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN);
    expect(response.body).toEqual({
      type: 'http://localhost:3000/problems/invalid_token',
      title: 'The access token is invalid',
      status: 401,
      detail: expect.stringMatching(
        /^The access token (is invalid|has expired)$/,
      ),
      error: 'invalid_token',
    });
  }

  describe('C. Bearer usage', () => {
    it('BEAR-01: answers a request without Authorization with 401 and a bare challenge', async () => {
      const response = await me().expect(401);
      expect(response.headers['www-authenticate']).toBe(CHALLENGE);
    });

    it('BEAR-02: answers a garbage token with 401 invalid_token', async () => {
      await expectInvalidToken('abc.def.ghi');
    });

    it('BEAR-04: matches the scheme case-insensitively', async () => {
      for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
        await me(`${scheme} ${user.accessToken}`).expect(200);
      }
    });

    it.each(['Bearer', 'Bearer ', 'Bearer a b', 'Bearer  TOKEN'])(
      'BEAR-05: answers the malformed header %j with 400 invalid_request',
      async (header) => {
        const response = await me(
          header.replace('TOKEN', user.accessToken),
        ).expect(400);
        expect(response.headers['www-authenticate']).toBe(
          'Bearer realm="warden", error="invalid_request"',
        );
      },
    );

    it('BEAR-06: never takes a token from the query string', async () => {
      const response = await request(t.server)
        .get(`/users/me?access_token=${user.accessToken}`)
        .expect(401);
      expect(response.headers['www-authenticate']).toBe(CHALLENGE);
    });

    it('BEAR-09: answers another scheme with 401 and a bare challenge', async () => {
      const response = await me(
        `Basic ${Buffer.from('a:b').toString('base64')}`,
      ).expect(401);
      expect(response.headers['www-authenticate']).toBe(CHALLENGE);
    });

    it('BEAR-08: answers a token without the route scope with 403 insufficient_scope', async () => {
      const narrow = await tokenRequest(t, {
        grant_type: 'password',
        username: user.username,
        password: PASSWORD,
        scope: 'todos:read',
      }).expect(200);
      const response = await me(`Bearer ${narrow.body.access_token}`).expect(
        403,
      );
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="warden", error="insufficient_scope", scope="account"',
      );
    });

    it('BEAR-08: answers a token issued before profile became account with 403, scope="account"', async () => {
      const before = sign({
        ...validClaims(user),
        scope: 'profile todos:read todos:write posts:write',
      });
      const response = await me(`Bearer ${before}`).expect(403);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="warden", error="insufficient_scope", scope="account"',
      );
      await request(t.server)
        .get('/todos')
        .set('Authorization', `Bearer ${before}`)
        .expect(200);
    });

    it('serves GET /protected to any valid token', async () => {
      await request(t.server)
        .get('/protected')
        .set('Authorization', `Bearer ${user.accessToken}`)
        .expect(200, { message: 'Hello, authenticated user!' });
      await request(t.server).get('/protected').expect(401);
    });
  });

  describe('D. JWT validation', () => {
    it('accepts a harness-signed token with valid claims (the control case)', async () => {
      await me(`Bearer ${sign(validClaims(user))}`).expect(200);
    });

    it.each(['none', 'None', 'NONE', 'nOnE'])(
      'JWT-01: refuses alg=%s',
      async (alg) => {
        const token = `${base64url({ alg, typ: 'at+jwt' })}.${base64url(validClaims(user))}.`;
        await expectInvalidToken(token);
      },
    );

    it('JWT-02: refuses a token with its signature stripped', async () => {
      const [header, payload] = user.accessToken.split('.');
      await expectInvalidToken(`${header}.${payload}.`);
    });

    it('JWT-03: refuses a token whose sub was changed', async () => {
      const [header, payload, signature] = user.accessToken.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      await expectInvalidToken(
        `${header}.${base64url({ ...claims, sub: other.id })}.${signature}`,
      );
    });

    it('JWT-04: refuses a truncated signature and one with a character flipped in the middle', async () => {
      await expectInvalidToken(user.accessToken.slice(0, -4));
      const [header, payload, signature] = user.accessToken.split('.');
      const middle = Math.floor(signature.length / 2);
      const flipped = signature[middle] === 'A' ? 'B' : 'A';
      await expectInvalidToken(
        `${header}.${payload}.${signature.slice(0, middle)}${flipped}${signature.slice(middle + 1)}`,
      );
    });

    it.each([
      '',
      'secret',
      'changeme',
      'warden',
      'your-256-bit-secret',
      'password',
    ])(
      'JWT-05, JWT-06: refuses HS256 signed with the weak key %j',
      async (secret) => {
        await expectInvalidToken(sign(validClaims(user), {}, { secret }));
      },
    );

    it.each(['HS384', 'HS512'] as const)(
      'JWT-07: refuses %s even with the real secret',
      async (algorithm) => {
        await expectInvalidToken(sign(validClaims(user), {}, { algorithm }));
      },
    );

    it('JWT-08: refuses RS256 from an attacker key, also with the key embedded in jwk', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
      });
      const plain = jwt.sign(validClaims(user), privateKey, {
        algorithm: 'RS256',
        header: { alg: 'RS256', typ: 'at+jwt' },
      });
      await expectInvalidToken(plain);
      const embedded = jwt.sign(validClaims(user), privateKey, {
        algorithm: 'RS256',
        header: {
          alg: 'RS256',
          typ: 'at+jwt',
          jwk: publicKey.export({ format: 'jwk' }),
        } as never,
      });
      await expectInvalidToken(embedded);
    });

    it('JWT-08(c), JWT-08(d): ignores jku and x5u: the listener they point at receives no request', async () => {
      let requests = 0;
      const listener = createServer((_request, response) => {
        requests++;
        response.end('{}');
      });
      await new Promise<void>((resolve) =>
        listener.listen(0, '127.0.0.1', resolve),
      );
      const { port } = listener.address() as AddressInfo;
      try {
        const { privateKey } = generateKeyPairSync('rsa', {
          modulusLength: 2048,
        });
        for (const header of [
          { jku: `http://127.0.0.1:${port}/jwks.json` },
          { x5u: `http://127.0.0.1:${port}/cert.pem` },
        ]) {
          const token = jwt.sign(validClaims(user), privateKey, {
            algorithm: 'RS256',
            header: {
              alg: 'RS256',
              typ: 'at+jwt',
              kid: 'attacker',
              ...header,
            },
          });
          await expectInvalidToken(token);
        }
        expect(requests).toBe(0);
      } finally {
        listener.close();
      }
    });

    it('JWT-17: a refresh token sent as a bearer token is refused', async () => {
      await expectInvalidToken(user.refreshToken!);
    });

    it('JWT-26: after logout the access token is refused, also with its signature re-encoded', async () => {
      const victim = await signUp(t);
      await me(`Bearer ${victim.accessToken}`).expect(200);
      await request(t.server)
        .post('/auth/logout')
        .send({ refresh_token: victim.refreshToken })
        .expect(204);
      await expectInvalidToken(victim.accessToken);
      const [header, payload, signature] = victim.accessToken.split('.');
      const reencoded = Buffer.from(signature, 'base64url')
        .toString('base64')
        .replace(/=+$/, '');
      await expectInvalidToken(`${header}.${payload}.${reencoded}`);
    });

    it('JWT-10, BEAR-03: refuses an expired token, with a generic "expired" message', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = sign({
        ...validClaims(user),
        iat: now - 900,
        exp: now - 60,
      });
      const response = await me(`Bearer ${expired}`).expect(401);
      expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN);
      expect(response.body.detail).toBe('The access token has expired');
    });

    it('JWT-11: refuses a token that is not valid yet', async () => {
      const now = Math.floor(Date.now() / 1000);
      await expectInvalidToken(
        sign({ ...validClaims(user), nbf: now + 300, exp: now + 900 }),
      );
    });

    it('JWT-12: refuses a token without exp', async () => {
      await expectInvalidToken(sign({ ...validClaims(user), exp: undefined }));
    });

    it('JWT-13: refuses a string exp, a far-future exp and a lifetime over the configured TTL', async () => {
      const now = Math.floor(Date.now() / 1000);
      await expectInvalidToken(
        sign({ ...validClaims(user), exp: '9999999999' }),
      );
      await expectInvalidToken(sign({ ...validClaims(user), exp: 1e20 }));
      await expectInvalidToken(
        sign({ ...validClaims(user), iat: now, exp: now + 86400 }),
      );
      await expectInvalidToken(sign({ ...validClaims(user), iat: undefined }));
    });

    it('JWT-14: refuses a wrong or missing issuer', async () => {
      await expectInvalidToken(
        sign({ ...validClaims(user), iss: 'https://evil' }),
      );
      await expectInvalidToken(sign({ ...validClaims(user), iss: undefined }));
    });

    it('JWT-15: refuses a wrong or missing audience, and accepts an array that contains ours', async () => {
      await expectInvalidToken(
        sign({ ...validClaims(user), aud: 'other-api' }),
      );
      await expectInvalidToken(sign({ ...validClaims(user), aud: undefined }));
      await expectInvalidToken(
        sign({ ...validClaims(user), aud: ['x', 'other'] }),
      );
      await me(
        `Bearer ${sign({ ...validClaims(user), aud: ['x', 'warden-api'] })}`,
      ).expect(200);
    });

    it.each([['JWT'], ['rt+jwt'], [undefined]])(
      'JWT-16: refuses typ=%s',
      async (typ) => {
        await expectInvalidToken(sign(validClaims(user), { typ }));
      },
    );

    it('accepts typ=application/at+jwt', async () => {
      await me(
        `Bearer ${sign(validClaims(user), { typ: 'application/at+jwt' })}`,
      ).expect(200);
    });

    it.each([
      ['missing', undefined],
      ['a number', 42],
      ['empty', ''],
      ['not a UUID', 'admin'],
      ['an unknown user', randomUUID()],
    ])(
      'JWT-18: refuses sub %s without leaking another user',
      async (_case, sub) => {
        await expectInvalidToken(sign({ ...validClaims(user), sub }));
      },
    );

    it('refuses tokens without sid, jti or scope', async () => {
      for (const claim of ['sid', 'jti', 'scope']) {
        await expectInvalidToken(
          sign({ ...validClaims(user), [claim]: undefined }),
        );
      }
    });

    it.each([
      ['= padding', (token: string) => `${token}=`],
      [
        '+ and / characters',
        (token: string) => token.replace(/-/g, '+').replace(/_/g, '/') + '+/',
      ],
      [
        'two segments',
        (token: string) => token.split('.').slice(0, 2).join('.'),
      ],
      ['four segments', (token: string) => `${token}.abc`],
      [
        'a header that is not JSON',
        (token: string) =>
          `${base64url('not json')}.${token.split('.').slice(1).join('.')}`,
      ],
      [
        'a header that is a JSON array',
        (token: string) =>
          `${base64url([1, 2])}.${token.split('.').slice(1).join('.')}`,
      ],
      [
        'invalid UTF-8',
        (token: string) =>
          `${Buffer.from([0xff, 0xfe, 0xfd]).toString('base64url')}.${token.split('.').slice(1).join('.')}`,
      ],
    ])(
      'JWT-19: refuses a malformed token with %s, never with 500',
      async (_case, mangle) => {
        const response = await me(`Bearer ${mangle(user.accessToken)}`);
        expect([400, 401]).toContain(response.status);
        if (response.status === 401)
          expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN);
      },
    );

    it('JWT-20: refuses a 12 KB garbage token with 401 and a 20 KB header with 431', async () => {
      await expectInvalidToken('a'.repeat(12 * 1024));
      const response = await me(`Bearer ${'a'.repeat(20 * 1024)}`);
      expect(response.status).toBe(431);
    });

    it('JWT-23: keeps serving a valid token after 50 invalid ones', async () => {
      for (let i = 0; i < 50; i++)
        await me('Bearer invalid.token.here').expect(401);
      await me(`Bearer ${user.accessToken}`).expect(200);
    });

    it('refuses a token whose session does not exist', async () => {
      await expectInvalidToken(
        sign({ ...validClaims(user), sid: randomUUID() }),
      );
    });
  });
});
