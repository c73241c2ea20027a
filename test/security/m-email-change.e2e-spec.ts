import { randomBytes } from 'node:crypto';
import request from 'supertest';
import {
  bearer,
  expectError,
  PASSWORD,
  signUp,
  type TestUser,
} from '../support/api.js';
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

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const unique = () => randomBytes(5).toString('hex');

let nextIp = 1;
/** A client address of each test's own: the suite trusts 127.0.0.1 as its proxy. */
const freshIp = () =>
  `10.7.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;

/**
 * Section 5 of issue 23: an email change is neither a mail cannon nor an enumeration oracle. It
 * spends the per-IP auth budget like every route that mails an address the caller names; links
 * are capped per mailbox (a `+tag` does not make a new one) and per account; and an address that
 * is taken answers exactly as a free one, its owner told without a link.
 */
describe(`Email change: no mail cannon, no oracle (${testDatabaseKind()})`, () => {
  let smtp: TestSmtp;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({
      ...relaySettings(smtp.port),
      TRUST_PROXY: '127.0.0.1',
      AUTH_RATE_LIMIT: '1000',
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const change = (user: TestUser, email: string, ip = freshIp()) =>
    request(t.server)
      .patch('/users/me')
      .set(bearer(user.accessToken))
      .set('X-Forwarded-For', ip)
      .send({ email, currentPassword: PASSWORD });

  /** Mails received so far whose recipient's mailbox (the part before `+`) is `mailbox@domain`. */
  const toMailbox = (mailbox: string, subject: RegExp) =>
    smtp.received.filter(
      (mail) =>
        subject.test(mail.subject ?? '') &&
        [mail.to]
          .flat()
          .some((field) =>
            field?.value.some(
              (entry) => entry.address?.replace(/\+[^@]*@/, '@') === mailbox,
            ),
          ),
    );

  /** Waits until the outbox sender has passed every mail written so far (a marker mail). */
  async function settled(): Promise<void> {
    const marker = await signUp(t);
    await smtp.waitFor(sentTo(marker.email));
  }

  it('caps confirmation links per mailbox, +tags included, even from several accounts at once', async () => {
    const victim = `victim-${unique()}@example.com`;
    const [local, domain] = victim.split('@');
    const askers = await Promise.all(
      Array.from({ length: 8 }, () => signUp(t)),
    );
    const answers = await Promise.all(
      askers.map((asker, index) =>
        change(asker, `${local}+${index + 1}@${domain}`),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
    for (const refused of answers.filter((answer) => answer.status === 429))
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Three arrive; after the sender has passed a later mail, and a moment more, still three.
    await until(
      () => Promise.resolve(toMailbox(victim, /Confirm your new email/).length),
      (count) => count >= 3,
    );
    await settled();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(toMailbox(victim, /Confirm your new email/)).toHaveLength(3);
  });

  it('caps email-change links per account, whatever the mailboxes', async () => {
    const user = await signUp(t);
    for (let i = 0; i < 3; i++)
      await change(user, `elsewhere-${unique()}@example.com`).expect(200);
    const refused = await change(user, `elsewhere-${unique()}@example.com`);
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toMatch(/from one account/);
  });

  it('answers a taken address exactly as a free one, tells its owner without a link, and mails the asker the same', async () => {
    const owners: TestUser[] = [];
    const existing: number[] = [];
    const free: number[] = [];
    const answers: request.Response[] = [];
    // Interleaved, so that load on the machine hits both alike; each from an account of its own
    // (the per-account cap), to a taken or a free address.
    for (let i = 0; i < 6; i++) {
      // An owner per round: a mailbox gets at most three links (or notices) an hour either way.
      const owner = await signUp(t);
      owners.push(owner);
      const [a, b] = [await signUp(t), await signUp(t)];
      let started = performance.now();
      const taken = await change(a, owner.email);
      existing.push(performance.now() - started);
      started = performance.now();
      const open = await change(b, `free-${unique()}@example.com`);
      free.push(performance.now() - started);
      answers.push(taken, open);
      expect(taken.status).toBe(200);
      expect(open.status).toBe(200);
      expect(Object.keys(taken.headers).sort()).toEqual(
        Object.keys(open.headers).sort(),
      );
      const shape = (response: request.Response) => ({
        ...response.body,
        id: '',
        username: '',
        email: '',
        pendingEmail: '',
        createdAt: '',
        updatedAt: '',
      });
      expect(shape(taken)).toEqual(shape(open));
      expect(taken.body.pendingEmail).toBe(owner.email);
      expect(taken.body.email).toBe(a.email);
      // Both askers' own mailboxes get the same notice.
      await smtp.waitFor(
        (mail) =>
          sentTo(a.email)(mail) && /change of your/.test(mail.subject ?? ''),
      );
      await smtp.waitFor(
        (mail) =>
          sentTo(b.email)(mail) && /change of your/.test(mail.subject ?? ''),
      );
    }
    // A password check (argon2) dominates both; a difference of a query or a mail would show.
    expect(median(existing)).toBeLessThan(median(free) * 2 + 5);
    expect(median(free)).toBeLessThan(median(existing) * 2 + 5);
    for (const owner of owners)
      await smtp.waitFor(
        (mail) =>
          sentTo(owner.email)(mail) &&
          /tried to use your address/.test(mail.subject ?? ''),
      );
    await settled();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // The owner of each taken address is told, without a link; no confirmation went to it.
    for (const owner of owners) {
      const toOwner = smtp.received.filter(sentTo(owner.email));
      const notices = toOwner.filter((mail) =>
        /tried to use your address/.test(mail.subject ?? ''),
      );
      expect(notices).toHaveLength(1);
      expect(notices[0].text).not.toMatch(/token=/);
      expect(
        toOwner.filter((mail) => /Confirm your new/.test(mail.subject ?? '')),
      ).toHaveLength(0);
    }
  });

  it('a link to an address taken meanwhile answers 409 at confirmation and moves nothing', async () => {
    const user = await signUp(t);
    const target = `later-${unique()}@example.com`;
    await change(user, target).expect(200);
    const token = linkToken(
      await smtp.waitFor(
        (mail) =>
          sentTo(target)(mail) && /Confirm your new/.test(mail.subject ?? ''),
      ),
    );
    await signUp(t, { email: target });
    expectError(
      await request(t.server)
        .post('/auth/email/change/confirm')
        .send({ token }),
      409,
      'Conflict',
    );
    const me = await request(t.server)
      .get('/users/me')
      .set(bearer(user.accessToken))
      .expect(200);
    expect(me.body.email).toBe(user.email);
  });
});

// An application of its own (one at a time in a process: they share the test database driver).
describe(`Email change and the per-IP auth budget (${testDatabaseKind()})`, () => {
  it('spends the per-IP auth budget, as signup, resend and forgot do, one budget for all', async () => {
    const limited = await startTestApp({
      TRUST_PROXY: '127.0.0.1',
      AUTH_RATE_LIMIT: '4',
    });
    try {
      const setupIp = freshIp();
      const user = await request(limited.server)
        .post('/auth/signup')
        .set('X-Forwarded-For', setupIp)
        .send({ email: `budget-${unique()}@example.com`, password: PASSWORD })
        .expect(201);
      const token = user.body.access_token as string;
      const ip = freshIp();
      const patch = (email: string) =>
        request(limited.server)
          .patch('/users/me')
          .set(bearer(token))
          .set('X-Forwarded-For', ip)
          .send({ email, currentPassword: PASSWORD });
      await request(limited.server)
        .post('/auth/password/forgot')
        .set('X-Forwarded-For', ip)
        .send({ email: `someone-${unique()}@example.com` })
        .expect(202);
      await request(limited.server)
        .post('/auth/email/verify/resend')
        .set('X-Forwarded-For', ip)
        .send({ email: `someone-${unique()}@example.com` })
        .expect(202);
      await patch(`a-${unique()}@example.com`).expect(200);
      await patch(`b-${unique()}@example.com`).expect(200);
      const refused = await patch(`c-${unique()}@example.com`);
      expect(refused.status).toBe(429);
      // A profile edit without an email spends it too (one route, one budget).
      await request(limited.server)
        .patch('/users/me')
        .set(bearer(token))
        .set('X-Forwarded-For', ip)
        .send({ fullName: 'Still Me' })
        .expect(429);
    } finally {
      await limited.close();
    }
  });
});

describe(`Email change under EMAIL_VERIFICATION=off (${testDatabaseKind()})`, () => {
  it('still answers 409 for a taken address: without verification nothing else could tell', async () => {
    const t = await startTestApp({ EMAIL_VERIFICATION: 'off' });
    try {
      const [a, b] = [await signUp(t), await signUp(t)];
      expectError(
        await request(t.server)
          .patch('/users/me')
          .set(bearer(a.accessToken))
          .send({ email: b.email, currentPassword: PASSWORD }),
        409,
        'Conflict',
      );
    } finally {
      await t.close();
    }
  });
});
