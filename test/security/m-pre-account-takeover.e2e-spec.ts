import { randomInt } from 'node:crypto';
import { generate } from 'otplib';
import request from 'supertest';
import { bearer, expectError } from '../support/api.js';
import { testDatabaseKind } from '../support/database.js';
import {
  linkToken,
  relaySettings,
  sentTo,
  startSmtp,
  type TestSmtp,
} from '../support/smtp.js';
import { until } from '../support/until.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { SoftwareAuthenticator } from '../support/webauthn.js';

const ORIGIN = 'https://app.example.com';
const RP_ID = 'app.example.com';
const ATTACKER_PASSWORD = 'the attacker chose this one';
const OWNER_PASSWORD = 'the owner chose this one, later';

interface Session {
  access: string;
  refresh: string;
}

/**
 * Section 1 of issue 23: pre-account takeover (Sudhodanan and Paverd, USENIX Security 2022). An
 * attacker signs up with the owner's address before the owner does; whatever the attacker
 * planted must not survive the owner's proof of the address. Each variant end to end: the
 * classic one (a passkey), the unexpired session, the trojan identifier (a sign-in method added
 * before the proof), the unexpired email change, and a phished password undone from the mail.
 */
function suite(verification: 'optional' | 'off') {
  describe(`Pre-account takeover, EMAIL_VERIFICATION=${verification} (${testDatabaseKind()})`, () => {
    let smtp: TestSmtp;
    let t: TestApp;
    beforeAll(async () => {
      smtp = await startSmtp();
      t = await startTestApp({
        ...relaySettings(smtp.port),
        EMAIL_VERIFICATION: verification,
        WEBAUTHN_RP_ID: RP_ID,
        WEBAUTHN_ORIGINS: ORIGIN,
      });
    });
    afterAll(async () => {
      await t.close();
      await smtp.close();
    });

    const address = () => `owner-${randomInt(1e9)}@example.com`;
    const post = (path: string, token?: string) => {
      const r = request(t.server).post(path);
      return token ? r.set(bearer(token)) : r;
    };
    const mail = (to: string, subject: RegExp) =>
      smtp.waitFor(
        (message) => sentTo(to)(message) && subject.test(message.subject ?? ''),
      );

    async function signUp(email: string, password: string): Promise<Session> {
      const response = await post('/auth/signup')
        .send({ email, password })
        .expect(201);
      return {
        access: response.body.access_token,
        refresh: response.body.refresh_token,
      };
    }

    async function login(email: string, password: string) {
      return post('/auth/login').send({ username: email, password });
    }

    /** The owner takes the address back the only way they can: forgot, then reset. */
    async function ownerResets(email: string): Promise<void> {
      await post('/auth/password/forgot').send({ email }).expect(202);
      const token = linkToken(await mail(email, /Reset your/));
      await post('/auth/password/reset')
        .send({ token, newPassword: OWNER_PASSWORD })
        .expect(204);
    }

    async function addPasskey(
      access: string,
      authenticator: SoftwareAuthenticator,
    ) {
      const options = await post('/auth/passkeys/register/options', access);
      if (options.status !== 200) return options;
      return post('/auth/passkeys/register/verify', access).send({
        response: authenticator.register(options.body),
      });
    }

    async function passkeySignIn(authenticator: SoftwareAuthenticator) {
      const options = (await post('/auth/passkeys/login/options').expect(200))
        .body;
      return post('/auth/passkeys/login/verify').send({
        response: authenticator.authenticate(options),
      });
    }

    async function turnTotpOn(access: string, password: string) {
      const begin = await post('/auth/mfa/totp', access).send({ password });
      if (begin.status !== 201) return { begin };
      const confirm = await post('/auth/mfa/totp/confirm', access).send({
        code: await generate({ secret: begin.body.secret }),
      });
      return { begin, confirm };
    }

    const me = (access: string) =>
      request(t.server).get('/users/me').set(bearer(access));

    if (verification === 'optional') {
      it('the classic attack: nothing that signs in can be planted before the address is proven', async () => {
        const email = address();
        const attacker = await signUp(email, ATTACKER_PASSWORD);
        const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
        expectError(
          await addPasskey(attacker.access, authenticator),
          403,
          'email_not_verified',
        );
        expectError(
          (await turnTotpOn(attacker.access, ATTACKER_PASSWORD)).begin,
          403,
          'email_not_verified',
        );
        expectError(
          await post('/auth/mfa/totp/confirm', attacker.access).send({
            code: '123456',
          }),
          403,
          'email_not_verified',
        );
        // Nothing was planted.
        expect(
          (
            await request(t.server)
              .get('/auth/passkeys')
              .set(bearer(attacker.access))
              .expect(200)
          ).body,
        ).toEqual([]);
        // The owner finds the address "taken", resets, and is the only one who can sign in.
        await ownerResets(email);
        expect((await login(email, ATTACKER_PASSWORD)).status).toBe(401);
        expect((await login(email, OWNER_PASSWORD)).status).toBe(200);
      });

      it('the owner who opens the verification link cannot adopt the account: the password is asked, and the page sends them to a reset', async () => {
        const email = address();
        const attacker = await signUp(email, ATTACKER_PASSWORD);
        const token = linkToken(await mail(email, /Confirm your email/));
        // The owner does not know the password the attacker chose.
        expectError(
          await post('/auth/email/verify').send({
            token,
            password: 'the owner guesses something',
          }),
          403,
          'Forbidden',
        );
        const page = await request(t.server)
          .get('/account/verify-email')
          .expect(200);
        expect(page.text).toContain('type="password"');
        expect(page.text).toContain('href="forgot-password"');
        // Still unproven: the attacker still cannot plant anything.
        expectError(
          await addPasskey(
            attacker.access,
            new SoftwareAuthenticator(ORIGIN, RP_ID),
          ),
          403,
          'email_not_verified',
        );
      });

      it('the unexpired session: the attacker signed in before the proof is signed out by it', async () => {
        const email = address();
        const attacker = await signUp(email, ATTACKER_PASSWORD);
        const second = (await login(email, ATTACKER_PASSWORD).then(
          (r) => r.body,
        )) as {
          access_token: string;
        };
        await me(attacker.access).expect(200);
        await ownerResets(email);
        expectError(await me(attacker.access), 401, 'invalid_token');
        expectError(await me(second.access_token), 401, 'invalid_token');
        expectError(
          await post('/auth/refresh').send({ refresh_token: attacker.refresh }),
          401,
          'Unauthorized',
        );
      });

      it('the unexpired email change: a change the attacker asked for before the proof dies with it', async () => {
        const email = address();
        const attacker = await signUp(email, ATTACKER_PASSWORD);
        const attackersOwn = `attacker-${randomInt(1e9)}@example.com`;
        await request(t.server)
          .patch('/users/me')
          .set(bearer(attacker.access))
          .send({ email: attackersOwn, currentPassword: ATTACKER_PASSWORD })
          .expect(200);
        const token = linkToken(await mail(attackersOwn, /Confirm your new/));
        await ownerResets(email);
        expectError(
          await post('/auth/email/change/confirm').send({ token }),
          400,
          'invalid_or_expired_token',
        );
        const owner = (await login(email, OWNER_PASSWORD).then(
          (r) => r.body,
        )) as {
          access_token: string;
        };
        expect((await me(owner.access_token).expect(200)).body.email).toBe(
          email,
        );
      });

      it('a phished password: what the attacker plants is undone from the notice alone, even after the attacker changed the password', async () => {
        const email = address();
        // The owner's own, proven account.
        await signUp(email, OWNER_PASSWORD);
        await post('/auth/email/verify')
          .send({
            token: linkToken(await mail(email, /Confirm your email/)),
            password: OWNER_PASSWORD,
          })
          .expect(204);
        const owner = (await login(email, OWNER_PASSWORD).then(
          (r) => r.body,
        )) as {
          access_token: string;
        };
        // The attacker signs in with the phished password, plants a passkey and an
        // authenticator, and changes the password from a session signed in with the passkey.
        const phished = (await login(email, OWNER_PASSWORD).then(
          (r) => r.body,
        )) as {
          access_token: string;
        };
        const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
        expect(
          (await addPasskey(phished.access_token, authenticator)).status,
        ).toBe(201);
        const planted = (await passkeySignIn(authenticator)).body as {
          access_token: string;
        };
        const { confirm } = await turnTotpOn(
          planted.access_token,
          OWNER_PASSWORD,
        );
        expect(confirm?.status).toBe(200);
        await post('/users/me/password', planted.access_token)
          .send({
            currentPassword: OWNER_PASSWORD,
            newPassword: ATTACKER_PASSWORD,
          })
          .expect(204);

        // Each notice carries its link; the passkey's removes it and signs everyone out.
        const passkeyNotice = await mail(email, /A passkey was added/);
        expect(passkeyNotice.text).toMatch(/this was not you/i);
        const removal = linkToken(passkeyNotice);
        await post('/auth/sign-in-methods/remove')
          .send({ token: removal })
          .expect(204);
        expectError(await me(planted.access_token), 401, 'invalid_token');
        expectError(await me(owner.access_token), 401, 'invalid_token');
        expectError(
          await passkeySignIn(authenticator),
          401,
          'passkey_sign_in_failed',
        );
        await mail(email, /Removed from your/);
        // Single use.
        expectError(
          await post('/auth/sign-in-methods/remove').send({ token: removal }),
          400,
          'invalid_or_expired_token',
        );
        // The authenticator's link removes it (and its recovery codes) too.
        await post('/auth/sign-in-methods/remove')
          .send({
            token: linkToken(await mail(email, /Two-step sign-in is on/)),
          })
          .expect(204);
        // The owner resets the password the attacker set, and signs in with it alone.
        await ownerResets(email);
        const back = await login(email, OWNER_PASSWORD);
        expect(back.status).toBe(200);
        expect(back.body.access_token).toEqual(expect.any(String));
      });
    }

    if (verification === 'optional') {
      it('a "this was not me" link sent six times at once removes once, and one notice says so', async () => {
        const email = address();
        const owner = await signUp(email, OWNER_PASSWORD);
        await post('/auth/email/verify')
          .send({
            token: linkToken(await mail(email, /Confirm your email/)),
            password: OWNER_PASSWORD,
          })
          .expect(204);
        const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
        expect((await addPasskey(owner.access, authenticator)).status).toBe(
          201,
        );
        const token = linkToken(await mail(email, /A passkey was added/));
        const answers = await Promise.all(
          Array.from({ length: 6 }, () =>
            post('/auth/sign-in-methods/remove').send({ token }),
          ),
        );
        expect(answers.filter((answer) => answer.status === 204)).toHaveLength(
          1,
        );
        for (const answer of answers.filter((a) => a.status !== 204))
          expectError(answer, 400, 'invalid_or_expired_token');
        await mail(email, /Removed from your/);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        expect(
          smtp.received.filter(
            (message) =>
              sentTo(email)(message) &&
              /Removed from your/.test(message.subject ?? ''),
          ),
        ).toHaveLength(1);
      });
    }

    if (verification === 'off') {
      it('the trojan identifier: methods added before the first proof are removed by it, and the owner is told which', async () => {
        const email = address();
        const attacker = await signUp(email, ATTACKER_PASSWORD);
        // Without verification nothing stops the attacker adding them.
        const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
        expect((await addPasskey(attacker.access, authenticator)).status).toBe(
          201,
        );
        // With a passkey on the account, the authenticator is added from a passkey session.
        const viaPasskey = (await passkeySignIn(authenticator)).body as {
          access_token: string;
        };
        const { confirm } = await turnTotpOn(
          viaPasskey.access_token,
          ATTACKER_PASSWORD,
        );
        expect(confirm?.status).toBe(200);

        // The owner's first reset is the first proof of the address.
        await ownerResets(email);
        const notice = await mail(email, /password was reset/);
        expect(notice.text).toContain('first proof that this address is yours');
        expect(notice.text).toContain('the passkey "');
        expect(notice.text).toContain('the authenticator app');
        expect(notice.text).toContain('the recovery codes');
        expectError(
          await passkeySignIn(authenticator),
          401,
          'passkey_sign_in_failed',
        );
        expectError(await me(viaPasskey.access_token), 401, 'invalid_token');
        expectError(await me(attacker.access), 401, 'invalid_token');
        // The password alone signs in: no second factor asks for the attacker's code.
        const owner = await login(email, OWNER_PASSWORD);
        expect(owner.status).toBe(200);
        expect(owner.body.access_token).toEqual(expect.any(String));

        // A later reset is no first proof: the owner's own passkey stays.
        const mine = new SoftwareAuthenticator(ORIGIN, RP_ID);
        expect((await addPasskey(owner.body.access_token, mine)).status).toBe(
          201,
        );
        await post('/auth/password/forgot').send({ email }).expect(202);
        const resets = await until(
          () =>
            Promise.resolve(
              smtp.received.filter(
                (message) =>
                  sentTo(email)(message) &&
                  /Reset your/.test(message.subject ?? ''),
              ),
            ),
          (found) => found.length === 2,
        );
        await post('/auth/password/reset')
          .send({
            token: linkToken(resets[1]),
            newPassword: 'yet another owner passphrase',
          })
          .expect(204);
        expect((await passkeySignIn(mine)).status).toBe(200);
      });
    }
  });
}

suite('optional');
suite('off');
