import { simpleParser } from 'mailparser';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'otplib';
import type {
  Browser,
  BrowserContext,
  CDPSession,
  Page,
} from 'playwright-core';
import { PASSWORD } from '../support/api.js';
import { chromiumAvailable, launchChromium } from '../support/browser.js';
import {
  createSharedTestDatabase,
  testDatabaseKind,
  type TestDatabase,
} from '../support/database.js';
import { decodeClaims, sign, validClaims } from '../support/jwt.js';
import { mailInOutbox } from '../support/mailbox.js';
import { linkToken } from '../support/smtp.js';
import { until } from '../support/until.js';
import {
  postJson,
  scratchDirectory,
  startServer,
  type ServerProcess,
} from '../support/server-process.js';

const available = chromiumAvailable('Passkeys');

/** What Chromium's virtual authenticator holds for a credential (CDP WebAuthn.Credential). */
interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId: string;
  privateKey: string;
  userHandle: string;
  signCount: number;
}

/**
 * Passkeys end to end in real Chromium, with the DevTools virtual authenticator (a platform
 * authenticator with resident keys and user verification), on two Warden instances sharing one
 * database (SQLite or PostgreSQL): /account/passkeys served by the first.
 */
describe.skipIf(!available)(
  `Passkeys in Chromium (${testDatabaseKind()})`,
  () => {
    let database: TestDatabase;
    let outbox: string;
    let first: ServerProcess;
    let second: ServerProcess;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let cdp: CDPSession;
    let authenticatorId: string;
    const username = 'passkey_user';

    /** The page's origin: WebAuthn needs a secure context, and localhost is one. */
    const origin = () => `http://localhost:${first.port}`;

    async function addAuthenticator(): Promise<string> {
      const added = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      });
      return added.authenticatorId;
    }

    const credentials = async (id: string): Promise<VirtualCredential[]> =>
      (
        (await cdp.send('WebAuthn.getCredentials', {
          authenticatorId: id,
        })) as { credentials: VirtualCredential[] }
      ).credentials;

    const result = () => page.locator('#result');

    /** The subjects of the mails the instances have written (without a relay: .eml files). */
    const mailSubjects = async (): Promise<string[]> =>
      Promise.all(
        (existsSync(outbox) ? readdirSync(outbox) : []).map(
          async (file) =>
            (await simpleParser(readFileSync(join(outbox, file)))).subject ??
            '',
        ),
      );

    async function signInWithPasskey(): Promise<string> {
      const before = await result().innerText();
      await page
        .getByRole('button', { name: 'Sign in with a passkey' })
        .click();
      await page.waitForFunction(
        (previous) =>
          document.getElementById('result')?.textContent !== previous,
        before,
      );
      return result().innerText();
    }

    beforeAll(async () => {
      const dir = scratchDirectory();
      // No relay: notices are .eml files in the instances' shared working directory.
      outbox = join(dir, 'data/outbox');
      // One database for both instances: a SQLite file, or a schema of TEST_DATABASE_URL.
      database = await createSharedTestDatabase(dir);
      first = await startServer({ DATABASE_URL: database.url }, dir);
      // The second instance accepts ceremonies from the page the first one serves.
      second = await startServer(
        {
          DATABASE_URL: database.url,
          WEBAUTHN_ORIGINS: `http://localhost:${first.port}`,
        },
        dir,
      );
      const signup = await fetch(`${first.url}/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username,
          email: 'passkey@example.com',
          password: PASSWORD,
        }),
      });
      expect(signup.status).toBe(201);
      // Passkeys can be added once the address is proven: the mailed link, and the password.
      const verification = await mailInOutbox(
        outbox,
        'passkey@example.com',
        /Confirm your email/,
      );
      expect(
        (
          await postJson(first, '/auth/email/verify', {
            token: linkToken(verification),
            password: PASSWORD,
          })
        ).status,
      ).toBe(204);
      browser = await launchChromium();
      context = await browser.newContext();
      page = await context.newPage();
      cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      authenticatorId = await addAuthenticator();
    });
    afterAll(async () => {
      await browser?.close();
      await second?.stop();
      await first?.stop();
      await database?.drop();
    });

    it('registers a passkey on the page, signs out, signs in with it and reads /users/me', async () => {
      const response = await page.goto(`${origin()}/account/passkeys`);
      expect(response?.headers()['content-security-policy']).toContain(
        "script-src 'self'",
      );
      await page.getByLabel('Username or email').fill(username);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page
        .getByRole('button', { name: 'Sign in with your password' })
        .click();
      await page.getByText('Signed in with your password').waitFor();
      await page.getByLabel('Passkey name').fill('Virtual authenticator');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await page.getByText('Passkey added: Virtual authenticator').waitFor();
      const [credential] = await credentials(authenticatorId);
      expect(credential).toMatchObject({
        isResidentCredential: true,
        rpId: 'localhost',
      });

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('Signed out.').waitFor();
      expect(await signInWithPasskey()).toBe(
        `Signed in with a passkey as ${username}`,
      );
    });

    it('signs a user with TOTP in on the page with the password and a code before adding a passkey', async () => {
      const post = (path: string, body: unknown, token?: string) =>
        postJson(first, path, body, token);
      const signup = (await (
        await post('/auth/signup', {
          username: 'totp_user',
          email: 'totp@example.com',
          password: PASSWORD,
        })
      ).json()) as { access_token: string };
      // An authenticator can be added once the address is proven.
      expect(
        (
          await post('/auth/email/verify', {
            token: linkToken(
              await mailInOutbox(
                outbox,
                'totp@example.com',
                /Confirm your email/,
              ),
            ),
            password: PASSWORD,
          })
        ).status,
      ).toBe(204);
      const begin = (await (
        await post(
          '/auth/mfa/totp',
          { password: PASSWORD },
          signup.access_token,
        )
      ).json()) as { secret: string };
      const now = Math.floor(Date.now() / 1000);
      const confirm = await post(
        '/auth/mfa/totp/confirm',
        { code: await generate({ secret: begin.secret, epoch: now }) },
        signup.access_token,
      );
      expect(confirm.status).toBe(200);

      await page.goto(`${origin()}/account/passkeys`);
      await page.getByLabel('Username or email').fill('totp_user');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page
        .getByRole('button', { name: 'Sign in with your password' })
        .click();
      await page
        .getByText('Enter the code from your authenticator app')
        .waitFor();
      await page
        .getByLabel('Code from your authenticator app')
        .fill(await generate({ secret: begin.secret, epoch: now + 30 }));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByText('Signed in with your password').waitFor();
      expect(
        await page.getByRole('button', { name: 'Add a passkey' }).isEnabled(),
      ).toBe(true);
    });

    it('gives the passkey session amr ["hwk"] and lists the passkey, which only its owner can delete', async () => {
      const tokens = await passkeyTokens(first);
      const claims = decodeClaims(tokens.access_token) as unknown as {
        amr: string[];
      };
      expect(claims.amr).toEqual(['hwk']);
      const list = await fetch(`${first.url}/auth/passkeys`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      const passkeys = (await list.json()) as { id: string; name: string }[];
      expect(passkeys).toEqual([
        expect.objectContaining({
          name: 'Virtual authenticator',
          deviceType: 'singleDevice',
        }),
      ]);
      const other = await fetch(`${first.url}/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'other@example.com',
          password: PASSWORD,
        }),
      });
      const { access_token: otherToken } = (await other.json()) as {
        access_token: string;
      };
      const deleted = await fetch(
        `${first.url}/auth/passkeys/${passkeys[0].id}`,
        {
          method: 'DELETE',
          headers: { authorization: `Bearer ${otherToken}` },
        },
      );
      expect(deleted.status).toBe(404);
    });

    /**
     * What the page's own copy of @simplewebauthn/browser answers to these options, the browser
     * and its authenticator doing what a person's would.
     */
    const inBrowser = (
      ceremony: 'startRegistration' | 'startAuthentication',
      optionsJSON: unknown,
    ): Promise<unknown> =>
      page.evaluate(
        ([name, options]) =>
          (
            window as unknown as {
              SimpleWebAuthnBrowser: Record<
                string,
                (o: { optionsJSON: unknown }) => Promise<unknown>
              >;
            }
          ).SimpleWebAuthnBrowser[name]({ optionsJSON: options }),
        [ceremony, optionsJSON] as const,
      );

    const loginOptions = async (server: ServerProcess): Promise<unknown> =>
      (
        await fetch(`${server.url}/auth/passkeys/login/options`, {
          method: 'POST',
        })
      ).json();

    /**
     * Runs the sign-in ceremony with options from `from` and the assertion verified by `to`.
     */
    async function passkeyTokens(
      from: ServerProcess,
      to: ServerProcess = from,
    ): Promise<{ status: number; access_token: string }> {
      const options = await loginOptions(from);
      const assertion = await inBrowser('startAuthentication', options);
      const verified = await fetch(`${to.url}/auth/passkeys/login/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response: assertion }),
      });
      const body = (await verified.json()) as { access_token: string };
      return { status: verified.status, access_token: body.access_token };
    }

    it('finishes a ceremony on the other instance than the one that began it, and spends its challenge once', async () => {
      const options = await loginOptions(second);
      const assertion = await inBrowser('startAuthentication', options);
      const verify = (server: ServerProcess) =>
        fetch(`${server.url}/auth/passkeys/login/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ response: assertion }),
        });
      // Sent to both instances at once, the assertion signs in exactly once: its challenge is
      // claimed by one conditional UPDATE.
      const answers = await Promise.all(
        [first, second, first, second, first, second].map(verify),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([
        200, 401, 401, 401, 401, 401,
      ]);
      expect((await verify(first)).status).toBe(401);
      expect((await passkeyTokens(first, second)).status).toBe(200);
    });

    it('refuses a cloned authenticator whose signature counter is behind, and still takes the real one', async () => {
      const [original] = await credentials(authenticatorId);
      expect(original.signCount).toBeGreaterThan(0);
      await cdp.send('WebAuthn.removeVirtualAuthenticator', {
        authenticatorId,
      });
      const cloneId = await addAuthenticator();
      await cdp.send('WebAuthn.addCredential', {
        authenticatorId: cloneId,
        credential: { ...original, signCount: original.signCount - 1 },
      });
      expect((await passkeyTokens(first)).status).toBe(401);
      await cdp.send('WebAuthn.removeVirtualAuthenticator', {
        authenticatorId: cloneId,
      });

      authenticatorId = await addAuthenticator();
      await cdp.send('WebAuthn.addCredential', {
        authenticatorId,
        credential: original,
      });
      expect((await passkeyTokens(first)).status).toBe(200);
    });

    it('counts a passkey sign-in as two factors, and asks for a recent sign-in before adding one', async () => {
      const passkey = await passkeyTokens(first);
      const password = (await (
        await fetch(`${first.url}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: PASSWORD }),
        })
      ).json()) as { access_token: string };
      const replaceCodes = (token: string) =>
        fetch(`${first.url}/auth/mfa/recovery-codes`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
          },
          body: JSON.stringify({ password: PASSWORD }),
        });
      // A route that needs a second factor: the password session is sent to step up, the
      // passkey session passes (and learns that TOTP is not on).
      expect((await replaceCodes(password.access_token)).status).toBe(401);
      expect((await replaceCodes(passkey.access_token)).status).toBe(409);

      const stale = sign(
        {
          ...validClaims({
            id: decodeClaims(passkey.access_token).sub,
            accessToken: passkey.access_token,
          }),
          amr: ['hwk'],
          auth_time: Math.floor(Date.now() / 1000) - 901,
        },
        { typ: 'at+jwt' },
      );
      const options = await fetch(
        `${first.url}/auth/passkeys/register/options`,
        { method: 'POST', headers: { authorization: `Bearer ${stale}` } },
      );
      expect(options.status).toBe(401);
      expect(options.headers.get('www-authenticate')).toContain(
        'max_age="900"',
      );
    });

    it('refuses an assertion whose user handle names another user (it is outside the signature)', async () => {
      const assertion = (await inBrowser(
        'startAuthentication',
        await loginOptions(first),
      )) as { response: { userHandle?: string } };
      expect(assertion.response.userHandle).toBeDefined();
      assertion.response.userHandle = Buffer.from(
        '00000000-0000-4000-8000-000000000000',
      ).toString('base64url');
      const verified = await fetch(`${first.url}/auth/passkeys/login/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response: assertion }),
      });
      expect(verified.status).toBe(401);
      // The control: the same passkey, its own user handle, signs in.
      expect((await passkeyTokens(first)).status).toBe(200);
    });

    it('refuses a registration response used twice, and a deleted passkey signs nobody in', async () => {
      const tokens = await passkeyTokens(first);
      const auth = { authorization: `Bearer ${tokens.access_token}` };
      // A second device: the first one already holds a passkey of this account, and the
      // options exclude it (the browser would refuse to register it twice).
      await cdp.send('WebAuthn.removeVirtualAuthenticator', {
        authenticatorId,
      });
      authenticatorId = await addAuthenticator();
      const options = await (
        await fetch(`${first.url}/auth/passkeys/register/options`, {
          method: 'POST',
          headers: auth,
        })
      ).json();
      const registration = await inBrowser('startRegistration', options);
      const register = () =>
        fetch(`${second.url}/auth/passkeys/register/verify`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ response: registration, name: 'Second' }),
        });
      expect((await register()).status).toBe(201);
      const again = await register();
      expect(again.status).toBe(400);
      expect(((await again.json()) as { error: string }).error).toBe(
        'invalid_passkey_response',
      );
      const list = (await (
        await fetch(`${first.url}/auth/passkeys`, { headers: auth })
      ).json()) as { id: string; name: string }[];
      expect(list.map((passkey) => passkey.name)).toEqual([
        'Virtual authenticator',
        'Second',
      ]);
      for (const id of ['not-a-uuid', '1']) {
        const malformed = await fetch(`${first.url}/auth/passkeys/${id}`, {
          method: 'DELETE',
          headers: auth,
        });
        expect(malformed.status).toBe(400);
      }
      // The session here signed in with the first passkey: removing it (last) ends the session.
      for (const passkey of [...list].reverse()) {
        const deleted = await fetch(
          `${first.url}/auth/passkeys/${passkey.id}`,
          {
            method: 'DELETE',
            headers: auth,
          },
        );
        expect(deleted.status).toBe(204);
      }
      expect(
        (await fetch(`${first.url}/users/me`, { headers: auth })).status,
      ).toBe(401);
      // The authenticator still holds the credentials; the server no longer knows them.
      expect((await passkeyTokens(first)).status).toBe(401);
      // The owner was told of each passkey added and removed (each instance's sender writes
      // .eml files soon after the commits, in no set order: wait for all four).
      const count = (subjects: string[], pattern: RegExp) =>
        subjects.filter((subject) => pattern.test(subject)).length;
      const subjects = await until(
        mailSubjects,
        (found) =>
          count(found, /passkey was added/) >= 2 &&
          count(found, /passkey was removed/) >= 2,
      );
      expect(count(subjects, /passkey was added/)).toBe(2);
      expect(count(subjects, /passkey was removed/)).toBe(2);
    });

    it('refuses malformed and forged ceremony bodies with a 4xx, never a 500', async () => {
      const bodies: unknown[] = [
        {},
        { response: null },
        { response: 'x' },
        { response: [] },
        { response: {} },
        { response: { id: 42 } },
        { response: { id: 'x'.repeat(2000) } },
        {
          response: {
            id: 'AAAA',
            rawId: 'AAAA',
            type: 'public-key',
            response: {},
          },
        },
        { response: { id: { $ne: '' } } },
      ];
      for (const body of bodies) {
        const answer = await fetch(`${first.url}/auth/passkeys/login/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect([400, 401], JSON.stringify(body)).toContain(answer.status);
      }
    });
  },
);
