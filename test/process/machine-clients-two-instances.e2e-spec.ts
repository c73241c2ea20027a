import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import { runCli } from '../support/cli.js';
import { TEST_ISSUER } from '../support/jwt.js';
import { PASSWORD } from '../support/api.js';
import {
  createSharedTestDatabase,
  testDatabaseKind,
  type TestDatabase,
} from '../support/database.js';
import {
  scratchDirectory,
  startServer,
  type ServerProcess,
} from '../support/server-process.js';

// Run on PostgreSQL with Redis (CI sets both); test/support/global-setup.ts says when they are
// missing.
const redisUrl = process.env.TEST_REDIS_URL;
const enabled = Boolean(redisUrl) && testDatabaseKind() === 'postgres';

interface Registered {
  client_id: string;
  client_secret: string;
}

const PUBLIC_URL = 'http://warden.test';

const basic = (client: Registered) =>
  `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;

/**
 * Revocation and logout on one instance end a token on the other at once: for the bearer guard
 * (whose cached state the Redis bus drops) and for introspection, with both instances warmed up
 * on the token first, so a stale cache would show.
 */
describe.skipIf(!enabled)(
  'Machine clients and introspection on two instances (PostgreSQL and Redis)',
  () => {
    let database: TestDatabase;
    let a: ServerProcess;
    let b: ServerProcess;
    let service: Registered;
    let resourceServer: Registered;

    const register = async (args: string[]): Promise<Registered> => {
      const created = await runCli('create-client', args, {
        env: { DATABASE_URL: database.url },
        cwd: scratchDirectory(),
      });
      expect(created.code, created.stderr).toBe(0);
      return JSON.parse(created.stdout) as Registered;
    };

    const form = (
      server: ServerProcess,
      path: string,
      client: Registered,
      fields: Record<string, string>,
    ) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: {
          authorization: basic(client),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(fields),
      });

    const introspect = async (server: ServerProcess, token: string) =>
      (await (
        await form(server, '/auth/introspect', resourceServer, { token })
      ).json()) as { active: boolean };

    const get = (server: ServerProcess, path: string, token: string) =>
      fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });

    beforeAll(async () => {
      database = await createSharedTestDatabase();
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl!,
        REDIS_KEY_PREFIX: `machines-${Date.now().toString(36)}:`,
        // One public address for both, as behind a load balancer: DPoP proofs name it.
        PUBLIC_URL,
      };
      a = await startServer(env);
      b = await startServer(env);
      service = await register(['--name', 'Reporting', '--machine']);
      resourceServer = await register([
        '--name',
        'Notes API',
        '--machine',
        '--allow-introspection',
      ]);
    });
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await database?.drop();
    });

    it('a client token revoked at one instance is refused and inactive at the other at once', async () => {
      const issued = await form(a, '/auth/token', service, {
        grant_type: 'client_credentials',
      });
      expect(issued.status).toBe(200);
      const token = ((await issued.json()) as { access_token: string })
        .access_token;
      expect((await get(b, '/users', token)).status).toBe(200);
      expect((await introspect(b, token)).active).toBe(true);

      expect((await form(a, '/auth/revoke', service, { token })).status).toBe(
        200,
      );
      expect((await get(b, '/users', token)).status).toBe(401);
      expect(await introspect(b, token)).toEqual({ active: false });
      expect((await get(a, '/users', token)).status).toBe(401);
    });

    it('a DPoP proof and a client assertion used at one instance are refused at the other (Redis)', async () => {
      const key = await generateKeyPair('ES256', { extractable: true });
      const jwk = await exportJWK(key.publicKey);
      const proof = (claims: Record<string, unknown>) =>
        new SignJWT({
          iat: Math.floor(Date.now() / 1000),
          jti: randomUUID(),
          htm: 'POST',
          htu: `${PUBLIC_URL}/auth/token`,
          ...claims,
        })
          .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
          .sign(key.privateKey);
      const issued = await fetch(`${a.url}/auth/token`, {
        method: 'POST',
        headers: {
          authorization: basic(service),
          'content-type': 'application/x-www-form-urlencoded',
          dpop: await proof({}),
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      expect(issued.status).toBe(200);
      const { access_token: token, token_type: type } =
        (await issued.json()) as { access_token: string; token_type: string };
      expect(type).toBe('DPoP');

      const once = await proof({
        htm: 'GET',
        htu: `${PUBLIC_URL}/users`,
        ath: createHash('sha256').update(token).digest('base64url'),
      });
      const use = (server: ServerProcess) =>
        fetch(`${server.url}/users`, {
          headers: { authorization: `DPoP ${token}`, dpop: once },
        });
      expect((await use(a)).status).toBe(200);
      const replayed = await use(b);
      expect(replayed.status).toBe(401);
      expect(replayed.headers.get('www-authenticate')).toContain(
        'invalid_dpop_proof',
      );

      // A private_key_jwt assertion: used at A, replayed at B.
      const keyed = await register([
        '--name',
        'Keyed',
        '--machine',
        '--jwks',
        JSON.stringify({ keys: [{ ...jwk, kid: 'k1' }] }),
      ]);
      const assertion = await new SignJWT({
        iss: keyed.client_id,
        sub: keyed.client_id,
        aud: TEST_ISSUER,
        jti: randomUUID(),
        exp: Math.floor(Date.now() / 1000) + 60,
      })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .sign(key.privateKey);
      const grant = (server: ServerProcess) =>
        fetch(`${server.url}/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_assertion_type:
              'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: assertion,
          }),
        });
      expect((await grant(a)).status).toBe(200);
      expect((await grant(b)).status).toBe(401);
    });

    it("a user's token is inactive at the other instance once the user logs out", async () => {
      const signup = await fetch(`${a.url}/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'two-instances@example.com',
          username: 'two-instances',
          password: PASSWORD,
        }),
      });
      expect(signup.status).toBe(201);
      const { access_token: token } = (await signup.json()) as {
        access_token: string;
      };
      expect((await get(b, '/users/me', token)).status).toBe(200);
      expect((await introspect(b, token)).active).toBe(true);

      const logout = await fetch(`${a.url}/auth/logout`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: '{}',
      });
      expect(logout.status).toBe(204);
      expect((await get(b, '/users/me', token)).status).toBe(401);
      expect(await introspect(b, token)).toEqual({ active: false });
    });
  },
);
