import { appForSuite } from '../support/suite.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generate } from 'otplib';
import request from 'supertest';
import { ROUTE_AUTH, type RouteAuth } from '../../src/access/auth.decorator.js';
import {
  RECENT_SIGN_IN_SECONDS,
  SENSITIVE_ACTIONS,
  type SensitiveAction,
} from '../../src/access/sensitive-actions.js';
import {
  bearer,
  expectError,
  makeAdmin,
  signUpVerified,
  type TestUser,
} from '../support/api.js';
import { testDatabaseKind } from '../support/database.js';
import { declaredRoutes } from '../support/routes.js';
import { type TestApp } from '../support/test-app.js';

/** The routes of the list, and the action each names. */
const EXPECTED: Record<string, SensitiveAction> = {
  'POST /auth/passkeys/register/options': 'add-passkey',
  'POST /auth/passkeys/register/verify': 'add-passkey',
  'DELETE /auth/passkeys/{id}': 'remove-passkey',
  'POST /auth/mfa/totp': 'turn-on-totp',
  'POST /auth/mfa/totp/confirm': 'turn-on-totp',
  'DELETE /auth/mfa/totp': 'turn-off-totp',
  'POST /auth/mfa/recovery-codes': 'replace-recovery-codes',
  'POST /users/me/password': 'change-password',
  'PATCH /users/me': 'change-email',
  'DELETE /users/me': 'delete-account',
  'PATCH /users/{id}': 'administer-account',
  'DELETE /users/{id}/sessions': 'administer-account',
  'DELETE /users/{id}/mfa': 'administer-account',
  'GET /users': 'read-accounts',
  'GET /users/{id}': 'read-accounts',
  'POST /clients': 'administer-clients',
  'DELETE /clients/{clientId}': 'administer-clients',
  'GET /clients': 'read-clients',
  'GET /clients/{clientId}': 'read-clients',
};

const SOME_ID = '3f1c8a52-7d2e-4b8e-9a51-0c7f2b9d6e14';

/** A request to a route of the table, with a body that makes it the sensitive action. */
function call(t: TestApp, route: string, token: string) {
  const [method, path] = route.split(' ');
  const url = path
    .replace('{id}', SOME_ID)
    .replace('{clientId}', 'no-such-client');
  const body =
    route === 'PATCH /users/me'
      ? { email: 'somewhere@example.com', currentPassword: 'x' }
      : {};
  return request(t.server)
    [method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](url)
    .set(bearer(token))
    .send(body);
}

/**
 * Section 3 of issue 23: one assurance policy. The table of sensitive actions is the only step-up
 * there is: every route of the list names its action, no other route asks for one, docs say the
 * same, and each route refuses a session that is too old and one without the second factor.
 */
describe(`Sensitive actions: one assurance policy (${testDatabaseKind()})`, () => {
  const t = appForSuite();

  it('every route names its action in the table, and no route carries a step-up of its own', () => {
    const found: Record<string, string | null> = {};
    for (const { route, handler, controller } of declaredRoutes(t.app)) {
      const auth = (Reflect.getMetadata(ROUTE_AUTH, handler) ??
        Reflect.getMetadata(ROUTE_AUTH, controller)) as RouteAuth | undefined;
      if (auth && 'stepUp' in auth)
        throw new Error(`${route} carries a step-up of its own`);
      const sensitive =
        auth?.mode === 'token' ? (auth.sensitive ?? null) : null;
      if (sensitive !== null)
        expect(SENSITIVE_ACTIONS).toHaveProperty(sensitive);
      found[route] = sensitive;
    }
    expect(Object.keys(found).length).toBeGreaterThan(40);
    const named = Object.fromEntries(
      Object.entries(found).filter(([, action]) => action !== null),
    );
    expect(named).toEqual(EXPECTED);
  });

  it('docs/security.md states the same table', () => {
    const text = readFileSync(
      resolve(import.meta.dirname, '../../docs/security.md'),
      'utf8',
    );
    const section = text.split('## Assurance for sensitive actions')[1] ?? '';
    const rows = section
      .split('\n')
      .filter((line) => /^\| `[a-z-]+` /.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    const documented = Object.fromEntries(
      rows.map(([, action, recent, secondFactor]) => [
        action.replaceAll('`', ''),
        { recent: recent === 'yes', secondFactor: secondFactor === 'yes' },
      ]),
    );
    expect(documented).toEqual(
      Object.fromEntries(
        Object.entries(SENSITIVE_ACTIONS).map(([action, requirement]) => [
          action,
          {
            recent: requirement.recent,
            secondFactor: requirement.secondFactor,
          },
        ]),
      ),
    );
  });

  /**
   * A password session of `user` whose sign-in is `ageSeconds` old: the session's `authTime` is
   * moved back and the refresh token rotated, so the access token carries it as a real one does.
   */
  async function sessionSignedInAgo(
    user: TestUser,
    ageSeconds: number,
  ): Promise<string> {
    const login = await request(t.server)
      .post('/auth/login')
      .send({ username: user.username, password: user.password })
      .expect(200);
    const sid = JSON.parse(
      Buffer.from(
        login.body.access_token.split('.')[1],
        'base64url',
      ).toString(),
    ).sid as string;
    await t.dataSource
      .createQueryBuilder()
      .update('sessions')
      .set({ authTime: new Date(Date.now() - ageSeconds * 1000) })
      .where('id = :sid', { sid })
      .execute();
    const refreshed = await request(t.server)
      .post('/auth/refresh')
      .send({ refresh_token: login.body.refresh_token })
      .expect(200);
    return refreshed.body.access_token as string;
  }

  /** Turns TOTP on for `user` from its current (password) session, which stays password-only. */
  async function turnTotpOn(user: TestUser): Promise<void> {
    const begin = await request(t.server)
      .post('/auth/mfa/totp')
      .set(bearer(user.accessToken))
      .send({ password: user.password })
      .expect(201);
    await request(t.server)
      .post('/auth/mfa/totp/confirm')
      .set(bearer(user.accessToken))
      .send({ code: await generate({ secret: begin.body.secret }) })
      .expect(200);
  }

  const routes = Object.entries(EXPECTED);

  it.each(routes)(
    '%s (%s) refuses a sign-in older than 15 minutes when the action asks for a recent one',
    async (route, action) => {
      const user = await makeAdmin(t, await signUpVerified(t));
      const old = await sessionSignedInAgo(user, RECENT_SIGN_IN_SECONDS + 60);
      const response = await call(t, route, old);
      if (SENSITIVE_ACTIONS[action].recent) {
        expectError(response, 401, 'insufficient_user_authentication');
        expect(response.headers['www-authenticate']).toContain(
          `max_age="${RECENT_SIGN_IN_SECONDS}"`,
        );
      } else {
        // No recency asked: the guard lets it through to the route itself.
        expect(response.status).not.toBe(401);
      }
      // The same account, signed in just now, passes the guard.
      const fresh = await sessionSignedInAgo(user, 0);
      const passed = await call(t, route, fresh);
      expect(passed.body.error).not.toBe('insufficient_user_authentication');
    },
  );

  it.each(routes)(
    '%s (%s) refuses a session without the second factor of an account that has one',
    async (route) => {
      const user = await makeAdmin(t, await signUpVerified(t));
      await turnTotpOn(user);
      // The password session that turned TOTP on is recent, and has no second factor.
      const response = await call(t, route, user.accessToken);
      expectError(response, 401, 'insufficient_user_authentication');
      expect(response.headers['www-authenticate']).toContain(
        'acr_values="urn:warden:acr:mfa"',
      );
    },
  );
});
