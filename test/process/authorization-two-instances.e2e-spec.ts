import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { PASSWORD } from '../support/api.js';
import { codeRedemption, REDIRECT } from '../support/authorization.js';
import { formsOf } from '../support/browser-agent.js';
import { runCli } from '../support/cli.js';
import {
  createSharedTestDatabase,
  testDatabaseKind,
  type TestDatabase,
} from '../support/database.js';
import {
  freePort,
  scratchDirectory,
  startServer,
  type ServerProcess,
} from '../support/server-process.js';

// Run on PostgreSQL with Redis (CI sets both); test/support/global-setup.ts says when they are
// missing.
const redisUrl = process.env.TEST_REDIS_URL;
const enabled = Boolean(redisUrl) && testDatabaseKind() === 'postgres';

/** A round-robin proxy: each request goes to the next instance, as a load balancer would. */
function roundRobin(targets: ServerProcess[]): {
  server: Server;
  served: number[];
} {
  const served = targets.map(() => 0);
  let next = 0;
  const server = createServer((incoming, outgoing) => {
    const index = next++ % targets.length;
    served[index]++;
    const target = new URL(targets[index].url);
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  return { server, served };
}

/**
 * The authorization code flow behind a round-robin proxy at PUBLIC_URL, two instances sharing
 * one PostgreSQL and one Redis: every step of a sign-in may land on either instance (the hosted
 * forms carry the request, the CSRF secret is in the browser's cookie, codes and sessions are in
 * the database), and signing out at one is refused at the other at once.
 */
describe.skipIf(!enabled)(
  'Authorization code flow on two instances behind a round-robin proxy (PostgreSQL and Redis)',
  () => {
    let database: TestDatabase;
    let a: ServerProcess;
    let b: ServerProcess;
    let proxy: { server: Server; served: number[] };
    let base: string;
    let clientId: string;
    const cookies = new Map<string, string>();

    beforeAll(async () => {
      database = await createSharedTestDatabase();
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl!,
        REDIS_KEY_PREFIX: `authz-${Date.now().toString(36)}:`,
        PUBLIC_URL: base,
      };
      a = await startServer(env);
      b = await startServer(env);
      proxy = roundRobin([a, b]);
      await new Promise<void>((resolve) =>
        proxy.server.listen(port, '127.0.0.1', resolve),
      );
      const created = await runCli(
        'create-client',
        ['--name', 'Notes', '--redirect-uri', REDIRECT, '--first-party'],
        { env: { DATABASE_URL: database.url }, cwd: scratchDirectory() },
      );
      expect(created.code, created.stderr).toBe(0);
      clientId = (JSON.parse(created.stdout) as { client_id: string })
        .client_id;
      const signup = await fetch(`${base}/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'proxied@example.com',
          username: 'proxied',
          password: PASSWORD,
        }),
      });
      expect(signup.status).toBe(201);
    });
    afterAll(async () => {
      await new Promise((resolve) => proxy?.server.close(resolve));
      await Promise.all([a?.stop(), b?.stop()]);
      await database?.drop();
    });

    /** A browser's request through the proxy, with its cookies; redirects are not followed. */
    async function browse(
      path: string,
      form?: Record<string, string>,
    ): Promise<Response> {
      const response = await fetch(`${base}${path}`, {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          ...(form
            ? { 'content-type': 'application/x-www-form-urlencoded' }
            : {}),
          cookie: [...cookies].map(([n, v]) => `${n}=${v}`).join('; '),
        },
        body: form ? new URLSearchParams(form).toString() : undefined,
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const index = pair.indexOf('=');
        cookies.set(pair.slice(0, index), pair.slice(index + 1));
      }
      return response;
    }

    const token = (form: Record<string, string>) =>
      fetch(`${base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });

    it('signs in, redeems the code and refreshes across both instances; signing out at one is refused at the other at once', async () => {
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256')
        .update(verifier)
        .digest('base64url');
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        scope: 'openid todos:read',
        state: 'st',
      });
      const page = await browse(`/oauth/authorize?${query.toString()}`);
      expect(page.status).toBe(200);
      const [form] = formsOf(await page.text());
      const signedIn = await browse(form.action, {
        ...form.fields,
        username: 'proxied',
        password: PASSWORD,
      });
      expect(signedIn.status).toBe(303);
      const back = await browse(signedIn.headers.get('location') as string);
      expect(back.status).toBe(303);
      const code = new URL(
        back.headers.get('location') as string,
      ).searchParams.get('code') as string;
      const tokens = (await (
        await token(codeRedemption(code, verifier, clientId))
      ).json()) as { access_token: string; refresh_token: string };
      const refreshed = await token({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: clientId,
      });
      expect(refreshed.status).toBe(200);
      const { access_token: accessToken } = (await refreshed.json()) as {
        access_token: string;
      };
      // Both instances served the flow.
      expect(proxy.served.every((count) => count > 0)).toBe(true);

      // Each instance has the session cached as active.
      for (const server of [a, b])
        expect(
          (
            await fetch(`${server.url}/todos`, {
              headers: { authorization: `Bearer ${accessToken}` },
            })
          ).status,
        ).toBe(200);
      const confirm = await browse('/oauth/logout');
      const [logout] = formsOf(await confirm.text());
      const since = Date.now();
      const done = await browse(logout.action, logout.fields);
      expect(done.status).toBe(200);
      for (const server of [a, b]) {
        for (;;) {
          const { status } = await fetch(`${server.url}/todos`, {
            headers: { authorization: `Bearer ${accessToken}` },
          });
          if (status === 401) break;
          expect(Date.now() - since).toBeLessThan(5000);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    });
  },
);
