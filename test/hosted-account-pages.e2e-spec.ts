import request from 'supertest';
import { signUpVerified, type TestUser } from './support/api.js';
import {
  codeRequest,
  callback,
  registerClient,
  REDIRECT,
  codeRedemption,
} from './support/authorization.js';
import { BrowserAgent, linksOf, pkce } from './support/browser-agent.js';
import { testDatabaseKind } from './support/database.js';
import { type DecodedClaims, decodeClaims } from './support/jwt.js';
import { mailInOutbox, mailsInOutbox } from './support/mailbox.js';
import { accountLink } from './support/smtp.js';
import { appForSuite } from './support/suite.js';
import type { TestApp } from './support/test-app.js';

const NEW_PASSWORD = 'a new and quite long passphrase';
let counter = 0;
const freshEmail = () =>
  `hosted-${process.pid}-${Date.now()}-${++counter}@example.com`;

/** The hosted sign-in page of a fresh code request, and the PKCE verifier that goes with it. */
async function signInPage(browser: BrowserAgent, clientId: string) {
  const { verifier, challenge } = pkce();
  const path = codeRequest(clientId, challenge, { scope: 'openid email' });
  const page = await browser.get(path);
  expect(page.status).toBe(200);
  return { page, verifier, query: path.slice(path.indexOf('?')) };
}

/** The code the client got, redeemed: the ID token's claims. */
async function redeem(
  t: TestApp,
  clientId: string,
  verifier: string,
  location: string | undefined,
): Promise<DecodedClaims> {
  const params = callback(location);
  expect(params.get('state')).toBe('xyz');
  const tokens = await request(t.server)
    .post('/auth/token')
    .type('form')
    .send(codeRedemption(params.get('code') as string, verifier, clientId))
    .expect(200);
  return decodeClaims(tokens.body.id_token as string);
}

/** Opens a mailed link's `continue` in `browser`: the authorization request, resumed. */
async function resume(browser: BrowserAgent, link: URL) {
  const next = new URL(link.searchParams.get('continue') as string);
  expect(next.pathname).toBe('/oauth/authorize');
  return browser.get(`${next.pathname}${next.search}`);
}

describe(`Hosted signup and forgot-password pages (${testDatabaseKind()})`, () => {
  describe('EMAIL_VERIFICATION=optional', () => {
    const t = appForSuite();
    let spa: { clientId: string };
    let user: TestUser;
    beforeAll(async () => {
      spa = await registerClient(t);
      user = await signUpVerified(t);
    });

    it('the sign-in page links to both, carrying the authorization request', async () => {
      const browser = new BrowserAgent(t);
      const { page, query } = await signInPage(browser, spa.clientId);
      const links = linksOf(page.text);
      expect(links.get('Create an account')).toBe(`/oauth/sign-up${query}`);
      expect(links.get('Forgot your password?')).toBe(
        `/oauth/forgot-password${query}`,
      );
    });

    it('signup signs the new account in and resumes the request: the client gets a code for it', async () => {
      const browser = new BrowserAgent(t);
      const { page, verifier } = await signInPage(browser, spa.clientId);
      const form = await browser.get(
        linksOf(page.text).get('Create an account') as string,
      );
      expect(form.status).toBe(200);
      expect(form.headers['content-security-policy']).toContain(
        "frame-ancestors 'none'",
      );
      const email = freshEmail();
      const created = await browser.submit(form, {
        email,
        password: NEW_PASSWORD,
      });
      expect(created.status).toBe(303);
      expect(browser.cookies.has('__Host-warden')).toBe(true);
      const back = await browser.follow(created);
      expect(back.status).toBe(303);
      const claims = await redeem(
        t,
        spa.clientId,
        verifier,
        back.headers.location,
      );
      expect(claims).toMatchObject({
        email,
        email_verified: false,
        amr: ['pwd'],
      });
      // The verification mail is the usual one: nothing to resume, the request is done.
      const mail = await mailInOutbox(
        t.mailDirectory,
        email,
        /Confirm your email/,
      );
      expect(accountLink(mail).searchParams.has('continue')).toBe(false);
    });

    it('refuses what signup refuses, on the page, creating nothing: a weak password, a bad address, a taken one, no CSRF token', async () => {
      const browser = new BrowserAgent(t);
      const { page, query } = await signInPage(browser, spa.clientId);
      const form = await browser.get(
        linksOf(page.text).get('Create an account') as string,
      );
      const email = freshEmail();
      const weak = await browser.submit(form, { email, password: 'password' });
      expect(weak.status).toBe(400);
      expect(weak.text).toContain('role="alert"');
      expect(weak.text).toContain('Create an account');
      for (const address of [
        'not-an-address',
        `a\u0000b@example.com`,
        `${'x'.repeat(300)}@example.com`,
      ]) {
        const bad = await browser.submit(form, {
          email: address,
          password: NEW_PASSWORD,
        });
        expect(bad.status).toBe(400);
        expect(bad.text).toContain('email');
      }
      const taken = await browser.submit(form, {
        email: user.email,
        password: NEW_PASSWORD,
      });
      expect(taken.status).toBe(409);
      expect(taken.text).toContain('already exists');
      const noCsrf = await browser.post('/oauth/sign-up', {
        request: query.slice(1),
        email,
        password: NEW_PASSWORD,
      });
      expect(noCsrf.status).toBe(403);
      expect(browser.cookies.has('__Host-warden')).toBe(false);
      await request(t.server)
        .post('/auth/login')
        .send({ username: email, password: NEW_PASSWORD })
        .expect(401);
    });

    it('a burst of signups for one address makes one account: one 303, the rest 409', async () => {
      const browser = new BrowserAgent(t);
      const { page } = await signInPage(browser, spa.clientId);
      const form = await browser.get(
        linksOf(page.text).get('Create an account') as string,
      );
      const email = freshEmail();
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          browser.submit(form, { email, password: NEW_PASSWORD }),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([
        303, 409, 409, 409, 409, 409,
      ]);
    });

    it('an invalid authorization request is an error page on both, never a form', async () => {
      const browser = new BrowserAgent(t);
      for (const path of ['/oauth/sign-up', '/oauth/forgot-password']) {
        const page = await browser.get(
          `${path}?client_id=nobody&redirect_uri=${encodeURIComponent(REDIRECT)}`,
        );
        expect(page.status).toBe(400);
        expect(page.text).not.toContain('<form');
      }
    });

    it('forgot password mails a link that sets a new password and resumes the request, where the new password signs in', async () => {
      const account = await signUpVerified(t);
      const browser = new BrowserAgent(t);
      const { page, verifier } = await signInPage(browser, spa.clientId);
      const form = await browser.get(
        linksOf(page.text).get('Forgot your password?') as string,
      );
      expect(form.status).toBe(200);
      const mailed = await browser.submit(form, { email: account.email });
      expect(mailed.status).toBe(200);
      expect(mailed.text).toContain('Check your mail');
      const mail = await mailInOutbox(
        t.mailDirectory,
        account.email,
        /Reset your/,
      );
      const link = accountLink(mail);
      await request(t.server)
        .post('/auth/password/reset')
        .send({
          token: link.searchParams.get('token'),
          newPassword: NEW_PASSWORD,
        })
        .expect(204);
      const resumed = await resume(browser, link);
      expect(resumed.status).toBe(200);
      expect(resumed.text).toContain(`value="${account.email}"`);
      const signedIn = await browser.submit(
        resumed,
        { username: account.email, password: NEW_PASSWORD },
        '/oauth/sign-in',
      );
      expect(signedIn.status).toBe(303);
      const back = await browser.follow(signedIn);
      expect(
        (await redeem(t, spa.clientId, verifier, back.headers.location)).sub,
      ).toBe(account.id);
    });

    it('forgot password answers the same for an unknown address, and mails nothing', async () => {
      const browser = new BrowserAgent(t);
      const { page } = await signInPage(browser, spa.clientId);
      const form = await browser.get(
        linksOf(page.text).get('Forgot your password?') as string,
      );
      const email = freshEmail();
      const mailed = await browser.submit(form, { email });
      expect(mailed.status).toBe(200);
      expect(mailed.text).toContain('Check your mail');
      const bad = await browser.submit(form, { email: 'nope' });
      expect(bad.status).toBe(400);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await mailsInOutbox(t.mailDirectory, email)).toEqual([]);
    });
  });

  describe('EMAIL_VERIFICATION=required', () => {
    const t = appForSuite({ EMAIL_VERIFICATION: 'required' });
    let spa: { clientId: string };
    beforeAll(async () => {
      spa = await registerClient(t);
    });

    it('signup signs nobody in; the mailed link proves the address and resumes the request, where the account signs in', async () => {
      const browser = new BrowserAgent(t);
      const { page, verifier } = await signInPage(browser, spa.clientId);
      const form = await browser.get(
        linksOf(page.text).get('Create an account') as string,
      );
      const email = freshEmail();
      const created = await browser.submit(form, {
        email,
        password: NEW_PASSWORD,
      });
      expect(created.status).toBe(200);
      expect(created.text).toContain('Check your mail');
      expect(browser.cookies.has('__Host-warden')).toBe(false);

      // Before the proof, the sign-in page says what is missing.
      const early = await browser.submit(
        page,
        { username: email, password: NEW_PASSWORD },
        '/oauth/sign-in',
      );
      expect(early.status).toBe(403);
      expect(early.text).toContain('Confirm your email address first');

      const link = accountLink(
        await mailInOutbox(t.mailDirectory, email, /Confirm your email/),
      );
      expect(
        new URL(link.searchParams.get('continue') as string).searchParams.get(
          'login_hint',
        ),
      ).toBe(email);
      await request(t.server)
        .post('/auth/email/verify')
        .send({ token: link.searchParams.get('token'), password: NEW_PASSWORD })
        .expect(204);
      const resumed = await resume(browser, link);
      expect(resumed.status).toBe(200);
      const signedIn = await browser.submit(
        resumed,
        { username: email, password: NEW_PASSWORD },
        '/oauth/sign-in',
      );
      expect(signedIn.status).toBe(303);
      const back = await browser.follow(signedIn);
      expect(
        await redeem(t, spa.clientId, verifier, back.headers.location),
      ).toMatchObject({ email, email_verified: true });
    });
  });

  describe('PASSWORD_RESET=false', () => {
    const t = appForSuite({ PASSWORD_RESET: 'false' });

    it('the sign-in page offers no reset, and the page is a 404 that says why', async () => {
      const spa = await registerClient(t);
      const browser = new BrowserAgent(t);
      const { page, query } = await signInPage(browser, spa.clientId);
      expect(linksOf(page.text).has('Forgot your password?')).toBe(false);
      const reset = await browser.get(`/oauth/forgot-password${query}`);
      expect(reset.status).toBe(404);
      expect(reset.text).toContain('Password reset is switched off');
    });
  });
});
