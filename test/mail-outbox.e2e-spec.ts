import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import { simpleParser } from 'mailparser';
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { signUp } from './support/api.js';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MailOutbox,
  type OutgoingMail,
} from '../src/mail/mail-outbox.service.js';
import { OutboxMessage } from '../src/mail/outbox-message.entity.js';
import { OutboxSender } from '../src/mail/outbox-sender.service.js';
import { testDatabaseKind } from './support/database.js';
import { relaySettings, startSmtp, type TestSmtp } from './support/smtp.js';
import { until } from './support/until.js';
import { freePort } from './support/server-process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const mail = (subject: string): OutgoingMail => ({
  kind: 'test',
  to: 'jane@example.com',
  subject,
  text: `Hello from ${subject}`,
  html: `<p>Hello from ${subject}</p>`,
});

async function enqueue(t: TestApp, message: OutgoingMail): Promise<void> {
  await t.dataSource.transaction((manager) =>
    t.app.get(MailOutbox).enqueue(manager, message),
  );
  t.app.get(OutboxSender).wake();
}

async function rowOf(t: TestApp, subject: string): Promise<OutboxMessage> {
  return t.dataSource.getRepository(OutboxMessage).findOneByOrFail({ subject });
}

/**
 * Waits until `count` mails whose subject starts with `batch` have arrived, then a little longer
 * (a duplicate would come in the next poll), and checks that each arrived exactly once.
 */
async function expectEachDeliveredOnce(
  smtp: TestSmtp,
  batch: string,
  count: number,
): Promise<void> {
  const subjects = () =>
    smtp.received
      .map((m) => m.subject)
      .filter((subject) => subject?.startsWith(batch));
  await until(
    () => Promise.resolve(subjects().length),
    (received) => received >= count,
  );
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(subjects()).toHaveLength(count);
  expect(new Set(subjects()).size).toBe(count);
}

describe(`The mail outbox (${testDatabaseKind()})`, () => {
  describe('with a working SMTP relay', () => {
    let smtp: TestSmtp;
    let t: TestApp;
    beforeAll(async () => {
      smtp = await startSmtp();
      t = await startTestApp(relaySettings(smtp.port));
    });
    afterAll(async () => {
      await t.close();
      await smtp.close();
    });

    it('delivers a mail committed with its transaction, text and HTML, and marks it sent', async () => {
      const subject = `committed ${randomUUID()}`;
      await enqueue(t, mail(subject));
      const received = await smtp.waitFor((m) => m.subject === subject);
      expect(received.to).toMatchObject({ text: 'jane@example.com' });
      expect(received.from?.text).toContain('no-reply@localhost');
      expect(received.text?.trim()).toBe(`Hello from ${subject}`);
      expect(received.html).toContain(`<p>Hello from ${subject}</p>`);
      const row = await until(
        () => rowOf(t, subject),
        (r) => r.status === 'sent',
      );
      // The envelope stays for the record; the body (a live link, for account mail) does not.
      expect(row).toMatchObject({
        attempts: 1,
        lastError: null,
        text: '',
        html: null,
        recipient: 'jane@example.com',
      });
      expect(row.sentAt).toBeInstanceOf(Date);
    });

    it('never sends the mail of a transaction that rolled back', async () => {
      const subject = `rolled back ${randomUUID()}`;
      await expect(
        t.dataSource.transaction(async (manager) => {
          await t.app.get(MailOutbox).enqueue(manager, mail(subject));
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      const marker = `after ${randomUUID()}`;
      await enqueue(t, mail(marker));
      await smtp.waitFor((m) => m.subject === marker);
      expect(smtp.received.some((m) => m.subject === subject)).toBe(false);
      expect(
        await t.dataSource.getRepository(OutboxMessage).countBy({ subject }),
      ).toBe(0);
    });

    it('sends each of many mails exactly once', async () => {
      const batch = `batch ${randomUUID()}`;
      // One after the other: SQLite has one connection, which TypeORM cannot give two
      // transactions at once.
      for (let i = 0; i < 25; i++) await enqueue(t, mail(`${batch} ${i}`));
      await expectEachDeliveredOnce(smtp, batch, 25);
    });
  });

  describe('with a relay that is down, then up', () => {
    let port: number;
    let t: TestApp;
    let smtp: TestSmtp | undefined;
    beforeAll(async () => {
      port = await freePort();
      t = await startTestApp({
        ...relaySettings(port),
        OUTBOX_RETRY_DELAY: '1',
      });
    });
    afterAll(async () => {
      await t.close();
      await smtp?.close();
    });

    it('keeps the mail, retries with a delay, and delivers it once the relay answers', async () => {
      const subject = `delayed ${randomUUID()}`;
      await enqueue(t, mail(subject));
      const failed = await until(
        () => rowOf(t, subject),
        (r) => r.attempts >= 1 && r.status === 'pending',
      );
      expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i);
      expect(failed.dueAt.getTime()).toBeGreaterThan(Date.now() - 1000);
      smtp = await startSmtp(port);
      await smtp.waitFor((m) => m.subject === subject);
      const row = await until(
        () => rowOf(t, subject),
        (r) => r.status === 'sent',
      );
      expect(row.attempts).toBeGreaterThanOrEqual(2);
    });

    it('reports mail waiting for over a minute in the log, and forgets envelopes finished a week ago', async () => {
      await smtp?.close();
      smtp = undefined;
      const waiting = `waiting ${randomUUID()}`;
      const finished = `finished ${randomUUID()}`;
      // Each row is aged in the transaction that writes it: the sender, polling meanwhile, must
      // never see the finished one as pending (its failed attempt would overwrite 'sent').
      const enqueueAged = (subject: string, changes: Partial<OutboxMessage>) =>
        t.dataSource.transaction(async (manager) => {
          await t.app.get(MailOutbox).enqueue(manager, mail(subject));
          await manager.update(OutboxMessage, { subject }, changes);
        });
      await enqueueAged(waiting, {
        createdAt: new Date(Date.now() - 5 * 60_000),
      });
      await enqueueAged(finished, {
        status: 'sent',
        createdAt: new Date(Date.now() - 8 * 86_400_000),
      });
      const messages = t.dataSource.getRepository(OutboxMessage);
      const warn = vi.spyOn(Logger.prototype, 'warn');
      try {
        await t.app.get(OutboxSender).reviewBacklog();
        expect(warn).toHaveBeenCalledWith(
          expect.stringMatching(
            /^outbox: \d+ mail\(s\) waiting, the oldest for 3\d\d s$/,
          ),
        );
      } finally {
        warn.mockRestore();
      }
      expect(await messages.countBy({ subject: finished })).toBe(0);
      expect(await messages.countBy({ subject: waiting })).toBe(1);
    });
  });

  describe('with a relay that accepts connections and then says nothing', () => {
    let frozen: Server;
    const sockets: Socket[] = [];
    let port: number;
    let t: TestApp;
    let smtp: TestSmtp | undefined;
    beforeAll(async () => {
      frozen = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((resolve) =>
        frozen.listen(0, '127.0.0.1', resolve),
      );
      port = (frozen.address() as AddressInfo).port;
      t = await startTestApp({
        ...relaySettings(port),
        OUTBOX_RETRY_DELAY: '1',
        // The greeting deadline, shortened: the test waits it out once.
        SMTP_TIMEOUT: '2',
      });
    });
    afterAll(async () => {
      await t.close();
      await smtp?.close();
      for (const socket of sockets) socket.destroy();
      frozen.close();
    });

    it('answers requests while a delivery hangs, fails the attempt at the greeting deadline, and delivers once a relay answers', async () => {
      const subject = `frozen ${randomUUID()}`;
      await enqueue(t, mail(subject));
      await until(
        () => rowOf(t, subject),
        (r) => r.status === 'sending',
      );
      // The sender is stuck in the handshake; a request does not wait for it.
      await signUp(t);
      expect((await rowOf(t, subject)).status).toBe('sending');

      const failed = await until(
        () => rowOf(t, subject),
        (r) => r.status === 'pending' && r.attempts === 1,
      );
      expect(failed.lastError).toMatch(/greeting|timeout/i);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => frozen.close(() => resolve()));
      smtp = await startSmtp(port);
      await smtp.waitFor((m) => m.subject === subject);
    });
  });

  describe.each([
    [550, 'for good: failed at once', 1],
    [451, 'for now: retried until OUTBOX_MAX_ATTEMPTS', 2],
  ])('with a relay that refuses the recipient (%i)', (code, what, attempts) => {
    let smtp: TestSmtp;
    let t: TestApp;
    beforeAll(async () => {
      smtp = await startSmtp(0, {
        onRcptTo(_address, _session, callback) {
          const refusal = new Error('mailbox unavailable') as Error & {
            responseCode: number;
          };
          refusal.responseCode = code;
          callback(refusal);
        },
      });
      t = await startTestApp({
        ...relaySettings(smtp.port),
        OUTBOX_RETRY_DELAY: '1',
        OUTBOX_MAX_ATTEMPTS: '2',
      });
    });
    afterAll(async () => {
      await t.close();
      await smtp.close();
    });

    it(`takes it ${what}, and keeps the reason`, async () => {
      const subject = `refused ${randomUUID()}`;
      await enqueue(t, mail(subject));
      const row = await until(
        () => rowOf(t, subject),
        (r) => r.status === 'failed',
      );
      expect(row.attempts).toBe(attempts);
      expect(row.lastError).toContain(String(code));
      expect(row.text).toBe('');
      expect(smtp.received).toHaveLength(0);
    });
  });

  describe('without SMTP_URL (development)', () => {
    let directory: string;
    let t: TestApp;
    beforeAll(async () => {
      directory = mkdtempSync(join(tmpdir(), 'warden-outbox-'));
      t = await startTestApp({ MAIL_OUTBOX_DIR: directory });
    });
    afterAll(async () => {
      await t.close();
      rmSync(directory, { recursive: true, force: true });
    });

    it('writes each mail to MAIL_OUTBOX_DIR as an .eml file', async () => {
      const subject = `local ${randomUUID()}`;
      await enqueue(t, mail(subject));
      const row = await until(
        () => rowOf(t, subject),
        (r) => r.status === 'sent',
      );
      const file = join(directory, `${row.id}.eml`);
      expect(existsSync(file)).toBe(true);
      expect(readdirSync(directory)).toContain(`${row.id}.eml`);
      const parsed = await simpleParser(readFileSync(file));
      expect(parsed.subject).toBe(subject);
      expect(parsed.text?.trim()).toBe(`Hello from ${subject}`);
    });

    it('writes links whole, so that one can be copied out of the file (no quoted-printable)', async () => {
      const subject = `link ${randomUUID()}`;
      const link = `http://localhost:3000/account/reset-password?token=${'Ab9_-'.repeat(12)}&next=%2Fhome`;
      await enqueue(t, {
        ...mail(subject),
        text: `Choose a new password:\n\n${link}\n\nIt works once, for an hour. Résumé: naïve café.`,
        html: `<p><a href="${link}">Choose a new password</a></p>`,
      });
      const row = await until(
        () => rowOf(t, subject),
        (r) => r.status === 'sent',
      );
      const raw = readFileSync(join(directory, `${row.id}.eml`), 'utf8');
      expect(raw.split('\n')).toContain(link);
      expect(raw).toContain(`href="${link}"`);
      expect(raw).not.toMatch(/=3D|quoted-printable/);
      // Still a well-formed message that mail programs read the same way.
      const parsed = await simpleParser(Buffer.from(raw));
      expect(parsed.text).toContain(link);
      expect(parsed.text).toContain('Résumé: naïve café.');
      expect(parsed.html).toContain(`href="${link}"`);
    });
  });
});

describe.runIf(testDatabaseKind() === 'postgres')(
  'The mail outbox with two instances on one PostgreSQL database',
  () => {
    let smtp: TestSmtp;
    let t: TestApp;
    let second: NestFastifyApplication;
    beforeAll(async () => {
      smtp = await startSmtp();
      t = await startTestApp(relaySettings(smtp.port));
      // A second application on the same database and settings: another instance.
      const { AppModule } = await import('../src/app.module.js');
      const { readEnvironment, validateSettings } =
        await import('../src/config/settings.js');
      second = await NestFactory.create<NestFastifyApplication>(
        AppModule.withSettings(validateSettings(readEnvironment())),
        new FastifyAdapter(),
        { logger: false },
      );
      await second.init();
    });
    afterAll(async () => {
      await second.close();
      await t.close();
      await smtp.close();
    });

    it('sends each mail exactly once while both instances claim', async () => {
      const batch = `shared ${randomUUID()}`;
      for (let i = 0; i < 40; i++) {
        await t.dataSource.transaction((manager) =>
          t.app.get(MailOutbox).enqueue(manager, mail(`${batch} ${i}`)),
        );
        t.app.get(OutboxSender).wake();
        second.get(OutboxSender).wake();
      }
      await expectEachDeliveredOnce(smtp, batch, 40);
    });
  },
);
