import request from 'supertest';
import { generate } from 'otplib';
import { bearer, signUpVerified, type TestUser } from './support/api.js';
import {
  callback,
  codeRequest,
  REDIRECT,
  registerClient,
  signInOnPage,
  codeRedemption,
} from './support/authorization.js';
import { BrowserAgent, formsOf, pkce } from './support/browser-agent.js';
import { testDatabaseKind } from './support/database.js';
import { decodeClaims } from './support/jwt.js';
import { appForSuite } from './support/suite.js';

/**
 * The authorization code flow with the clients and users around it: consent for third-party
 * clients, confidential clients' secrets, second factors on the hosted page, and what ends a
 * client's session.
 */
describe(`Authorization code flow: consent, clients, lifecycle (${testDatabaseKind()})`, () => {
  const t = appForSuite();
  let user: TestUser;
  beforeAll(async () => {
    user = await signUpVerified(t);
  });

  const token = (form: Record<string, string>, authorization?: string) => {
    const call = request(t.server).post('/auth/token').type('form');
    if (authorization) void call.set('Authorization', authorization);
    return call.send(form);
  };
  /** A route the scopes these tests ask for (todos:read) open. */
  const me = (accessToken: string) =>
    request(t.server).get('/todos').set(bearer(accessToken));

  /** A browser signed in as `who` through `clientId`'s request; the page that follows. */
  async function signedIn(clientId: string, who = user) {
    const browser = new BrowserAgent(t);
    const { verifier, challenge } = pkce();
    const page = await browser.get(
      codeRequest(clientId, challenge, { scope: 'openid email todos:read' }),
    );
    const next = await signInOnPage(browser, page, who);
    return { browser, verifier, challenge, next };
  }

  describe('a third-party client', () => {
    it('asks for consent in words, remembers it, asks again for a new scope and on prompt=consent', async () => {
      const app = await registerClient(t, { first_party: false });
      const { browser, verifier, next } = await signedIn(app.clientId);
      expect(next.status).toBe(200);
      expect(next.text).toContain('Allow Notes?');
      expect(next.text).toContain('See your email address');
      expect(next.text).toContain('Read your todos');
      const allowed = await browser.submit(next, { decision: 'allow' });
      expect(allowed.status).toBe(303);
      const code = callback(allowed.headers.location).get('code') as string;
      const tokens = await token(
        codeRedemption(code, verifier, app.clientId),
      ).expect(200);
      expect(tokens.body.scope).toBe('todos:read openid email');

      // Remembered: the same scopes go straight back with a code.
      const again = await browser.get(
        codeRequest(app.clientId, pkce().challenge, {
          scope: 'openid todos:read',
        }),
      );
      expect(again.status).toBe(303);
      expect(callback(again.headers.location).get('code')).toBeTruthy();
      // A scope not consented to yet is asked for; so is everything on prompt=consent.
      for (const extra of [
        { scope: 'openid account' },
        { scope: 'openid', prompt: 'consent' },
      ]) {
        const asked = await browser.get(
          codeRequest(app.clientId, pkce().challenge, extra),
        );
        expect(asked.status).toBe(200);
        expect(formsOf(asked.text)[0].action).toBe('/oauth/consent');
      }
    });

    it('answers prompt=none without consent with consent_required, and a denial with access_denied', async () => {
      const app = await registerClient(t, { first_party: false });
      const { browser, next } = await signedIn(app.clientId);
      const none = await browser.get(
        codeRequest(app.clientId, pkce().challenge, { prompt: 'none' }),
      );
      expect(none.status).toBe(303);
      expect(callback(none.headers.location).get('error')).toBe(
        'consent_required',
      );
      const denied = await browser.submit(next, { decision: 'deny' });
      expect(denied.status).toBe(303);
      const params = callback(denied.headers.location);
      expect(params.get('error')).toBe('access_denied');
      expect(params.get('code')).toBeNull();
    });

    it("lists the user's consents; taking one back ends the client's sessions of that user and asks again", async () => {
      const who = await signUpVerified(t);
      const app = await registerClient(t, { first_party: false });
      const { browser, verifier, next } = await signedIn(app.clientId, who);
      const allowed = await browser.submit(next, { decision: 'allow' });
      const tokens = await token(
        codeRedemption(
          callback(allowed.headers.location).get('code') as string,
          verifier,
          app.clientId,
        ),
      ).expect(200);
      const listed = await request(t.server)
        .get('/auth/consents')
        .set(bearer(who.accessToken))
        .expect(200);
      expect(listed.body).toEqual([
        expect.objectContaining({
          clientId: app.clientId,
          clientName: 'Notes',
          scope: 'openid email todos:read',
        }),
      ]);
      const sessions = await request(t.server)
        .get('/auth/sessions')
        .set(bearer(who.accessToken))
        .expect(200);
      expect(
        (sessions.body as { kind: string; clientId: string | null }[])
          .map((session) => `${session.kind} ${session.clientId}`)
          .sort(),
      ).toEqual(
        ['browser null', `tokens ${app.clientId}`, 'tokens null'].sort(),
      );

      await request(t.server)
        .delete(`/auth/consents/${app.clientId}`)
        .set(bearer(who.accessToken))
        .expect(204);
      await me(tokens.body.access_token).expect(401);
      await request(t.server)
        .delete(`/auth/consents/${app.clientId}`)
        .set(bearer(who.accessToken))
        .expect(404);
      const asked = await browser.get(
        codeRequest(app.clientId, pkce().challenge),
      );
      expect(formsOf(asked.text)[0].action).toBe('/oauth/consent');
      // Another user's consent is not this user's to take back.
      await request(t.server)
        .delete(`/auth/consents/${app.clientId}`)
        .set(bearer(user.accessToken))
        .expect(404);
    });

    it('refuses a consent posted without its CSRF token (a page elsewhere cannot click Allow)', async () => {
      const app = await registerClient(t, { first_party: false });
      const { browser, next } = await signedIn(app.clientId);
      const [form] = formsOf(next.text);
      const forged = await browser.post('/oauth/consent', {
        request: form.fields.request,
        decision: 'allow',
      });
      expect(forged.status).toBe(403);
      expect(forged.headers.location).toBeUndefined();
      const asked = await browser.get(
        codeRequest(app.clientId, pkce().challenge, {
          scope: 'openid email todos:read',
        }),
      );
      expect(formsOf(asked.text)[0].action).toBe('/oauth/consent');
    });

    it('never skips consent for a third-party client, even for a user who consented to a first-party one', async () => {
      const firstParty = await registerClient(t);
      const thirdParty = await registerClient(t, { first_party: false });
      const { browser, next } = await signedIn(firstParty.clientId);
      expect(next.status).toBe(303);
      const asked = await browser.get(
        codeRequest(thirdParty.clientId, pkce().challenge),
      );
      expect(asked.status).toBe(200);
      expect(formsOf(asked.text)[0].action).toBe('/oauth/consent');
    });
  });

  describe('a confidential client', () => {
    const basic = (id: string, secret: string) =>
      `Basic ${Buffer.from(
        `${encodeURIComponent(id)}:${encodeURIComponent(secret)}`,
      ).toString('base64')}`;

    it('TOK-12: redeems with client_secret_basic; a wrong secret, no secret or the other method is invalid_client with a Basic challenge', async () => {
      const app = await registerClient(t, {
        token_endpoint_auth_method: 'client_secret_basic',
      });
      const secret = app.secret as string;
      const { verifier, next } = await signedIn(app.clientId);
      const code = callback(next.headers.location).get('code') as string;
      const form = codeRedemption(code, verifier);
      for (const attempt of [
        token(form, basic(app.clientId, `${secret}x`)),
        token({ ...form, client_id: app.clientId }),
        token({ ...form, client_id: app.clientId, client_secret: secret }),
        token(form, basic('unknown-client', secret)),
        token(form, 'Basic !!!not-base64'),
      ]) {
        const refused = await attempt.expect(401);
        expect(refused.body.error).toBe('invalid_client');
        expect(refused.headers['www-authenticate']).toMatch(/^Basic /);
      }
      // Both methods at once is a malformed request.
      expect(
        (
          await token(
            { ...form, client_secret: secret },
            basic(app.clientId, secret),
          ).expect(400)
        ).body.error,
      ).toBe('invalid_request');
      // None of the refusals spent the code.
      const tokens = await token(form, basic(app.clientId, secret)).expect(200);
      expect(decodeClaims(tokens.body.access_token).client_id).toBe(
        app.clientId,
      );
      // The refresh token needs the secret too.
      const refresh = {
        grant_type: 'refresh_token',
        refresh_token: tokens.body.refresh_token,
      };
      await token(refresh, basic(app.clientId, 'wrong')).expect(401);
      await token(refresh, basic(app.clientId, secret)).expect(200);
    });

    it('revokes its own tokens only, authenticated (RFC 7009 §2.1)', async () => {
      const app = await registerClient(t, {
        token_endpoint_auth_method: 'client_secret_basic',
      });
      const other = await registerClient(t, {
        token_endpoint_auth_method: 'client_secret_basic',
      });
      const { verifier, next } = await signedIn(app.clientId);
      const tokens = await token(
        codeRedemption(
          callback(next.headers.location).get('code') as string,
          verifier,
        ),
        basic(app.clientId, app.secret as string),
      ).expect(200);
      const revoke = (authorization?: string) => {
        const call = request(t.server).post('/auth/revoke').type('form');
        if (authorization) void call.set('Authorization', authorization);
        return call.send({ token: tokens.body.refresh_token });
      };
      const refused = await revoke().expect(401);
      expect(refused.body.error).toBe('invalid_client');
      expect(
        (await revoke(basic(app.clientId, 'wrong')).expect(401)).body.error,
      ).toBe('invalid_client');
      // Another client's revocation is answered as if it worked, and ends nothing.
      await revoke(basic(other.clientId, other.secret as string)).expect(200);
      await me(tokens.body.access_token).expect(200);
      await revoke(basic(app.clientId, app.secret as string)).expect(200);
      await me(tokens.body.access_token).expect(401);
    });

    it('redeems with client_secret_post', async () => {
      const app = await registerClient(t, {
        token_endpoint_auth_method: 'client_secret_post',
      });
      const { verifier, next } = await signedIn(app.clientId);
      const code = callback(next.headers.location).get('code') as string;
      await token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        client_id: app.clientId,
        client_secret: app.secret as string,
      }).expect(200);
    });
  });

  describe('second factors on the hosted page', () => {
    it('asks a TOTP user for a code after the password, takes a recovery code, and records both factors', async () => {
      const account = await signUpVerified(t);
      const begin = await request(t.server)
        .post('/auth/mfa/totp')
        .set(bearer(account.accessToken))
        .send({ password: account.password })
        .expect(201);
      const confirm = await request(t.server)
        .post('/auth/mfa/totp/confirm')
        .set(bearer(account.accessToken))
        .send({
          code: await generate({
            secret: begin.body.secret as string,
            epoch: Math.floor(Date.now() / 1000),
          }),
        })
        .expect(200);
      const app = await registerClient(t);
      const browser = new BrowserAgent(t);
      const { verifier, challenge } = pkce();
      const page = await browser.get(codeRequest(app.clientId, challenge));
      const codePage = await browser.submit(page, {
        username: account.username,
        password: account.password,
      });
      expect(codePage.status).toBe(200);
      expect(browser.cookies.has('__Host-warden')).toBe(false);
      const wrong = await browser.submit(codePage, { code: '000000' });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('That code is not right');
      const done = await browser.follow(
        await browser.submit(wrong, {
          code: (confirm.body.recoveryCodes as string[])[0],
        }),
      );
      expect(done.status).toBe(303);
      const tokens = await token(
        codeRedemption(
          callback(done.headers.location).get('code') as string,
          verifier,
          app.clientId,
        ),
      ).expect(200);
      expect(decodeClaims(tokens.body.access_token)).toMatchObject({
        amr: ['pwd', 'otp', 'mfa'],
      });
    });
  });

  describe('what ends a client session', () => {
    async function clientTokens(clientId: string, who = user) {
      const { browser, verifier, next } = await signedIn(clientId, who);
      const tokens = await token(
        codeRedemption(
          callback(next.headers.location).get('code') as string,
          verifier,
          clientId,
        ),
      ).expect(200);
      return { browser, tokens: tokens.body as { access_token: string } };
    }

    it('ending the browser session ends every client session started from it, and unredeemed codes die with it', async () => {
      const who = await signUpVerified(t);
      const app = await registerClient(t);
      const { browser, tokens } = await clientTokens(app.clientId, who);
      await me(tokens.access_token).expect(200);
      const { verifier, challenge } = pkce();
      const pending = await browser.get(codeRequest(app.clientId, challenge));
      const code = callback(pending.headers.location).get('code') as string;

      const sessions = await request(t.server)
        .get('/auth/sessions')
        .set(bearer(who.accessToken))
        .expect(200);
      const browserSession = (
        sessions.body as { id: string; current: boolean }[]
      ).filter((session) => !session.current);
      for (const session of browserSession)
        await request(t.server)
          .delete(`/auth/sessions/${session.id}`)
          .set(bearer(who.accessToken))
          .expect((response) => {
            if (response.status !== 204 && response.status !== 404)
              throw new Error(`DELETE answered ${response.status}`);
          });
      await me(tokens.access_token).expect(401);
      expect(
        (await token(codeRedemption(code, verifier, app.clientId)).expect(400))
          .body.error,
      ).toBe('invalid_grant');
      // The browser is signed out: the next request shows the sign-in page.
      const next = await browser.get(codeRequest(app.clientId, challenge));
      expect(next.status).toBe(200);
    });

    it('changing the password ends the browser session and its client sessions', async () => {
      const who = await signUpVerified(t);
      const app = await registerClient(t);
      const { tokens } = await clientTokens(app.clientId, who);
      await request(t.server)
        .post('/users/me/password')
        .set(bearer(who.accessToken))
        .send({
          currentPassword: who.password,
          newPassword: 'a different horse battery staple',
        })
        .expect((response) => {
          if (response.status >= 300)
            throw new Error(`password change answered ${response.status}`);
        });
      await me(tokens.access_token).expect(401);
    });

    it("removing the client ends its sessions and forgets users' consent", async () => {
      const app = await registerClient(t, { first_party: false });
      const { browser, verifier, next } = await signedIn(app.clientId);
      const allowed = await browser.submit(next, { decision: 'allow' });
      const tokens = await token(
        codeRedemption(
          callback(allowed.headers.location).get('code') as string,
          verifier,
          app.clientId,
        ),
      ).expect(200);
      await me(tokens.body.access_token).expect(200);
      const { ClientsService } =
        await import('../src/clients/clients.service.js');
      await t.app.get(ClientsService).remove(app.clientId);
      await me(tokens.body.access_token).expect(401);
      const consents = await t.dataSource
        .createQueryBuilder()
        .select('COUNT(*)', 'n')
        .from('consents', 'c')
        .where('c."clientId" = :clientId', { clientId: app.clientId })
        .getRawOne<{ n: string | number }>();
      expect(Number(consents?.n)).toBe(0);
    });

    it("using the browser session moves its idle expiry forward, as a refresh does a token session's", async () => {
      const who = await signUpVerified(t);
      const app = await registerClient(t);
      const { browser } = await signedIn(app.clientId, who);
      const expiry = async () => {
        const sessions = await request(t.server)
          .get('/auth/sessions')
          .set(bearer(who.accessToken))
          .expect(200);
        return (sessions.body as { kind: string; expiresAt: string }[]).find(
          (session) => session.kind === 'browser',
        )?.expiresAt as string;
      };
      const before = await expiry();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const again = await browser.get(
        codeRequest(app.clientId, pkce().challenge),
      );
      expect(again.status).toBe(303);
      expect(Date.parse(await expiry())).toBeGreaterThan(Date.parse(before));
    });

    it('max_age=0 (sign in now) asks once, and the sign-in it asked for returns a code', async () => {
      const app = await registerClient(t);
      const { browser } = await signedIn(app.clientId);
      const page = await browser.get(
        codeRequest(app.clientId, pkce().challenge, { max_age: '0' }),
      );
      expect(formsOf(page.text)[0].action).toBe('/oauth/sign-in');
      const back = await signInOnPage(browser, page, user);
      expect(back.status).toBe(303);
      expect(callback(back.headers.location).get('code')).toBeTruthy();
    });

    it('max_age asks for the password again once the sign-in is older; prompt=none with it is login_required', async () => {
      const app = await registerClient(t);
      const { browser } = await signedIn(app.clientId);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const page = await browser.get(
        codeRequest(app.clientId, pkce().challenge, { max_age: '1' }),
      );
      expect(page.status).toBe(200);
      expect(formsOf(page.text)[0].action).toBe('/oauth/sign-in');
      const none = await browser.get(
        codeRequest(app.clientId, pkce().challenge, {
          max_age: '0',
          prompt: 'none',
        }),
      );
      expect(callback(none.headers.location).get('error')).toBe(
        'login_required',
      );
      const fresh = await browser.get(
        codeRequest(app.clientId, pkce().challenge, { max_age: '3600' }),
      );
      expect(fresh.status).toBe(303);
    });
  });
});
