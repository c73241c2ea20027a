import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import type { Settings } from '../config/settings.js';
import { withDeadline } from '../common/deadline.js';
import { isPostgres, withPlaceholders } from '../database/dialect.js';
import { type ColumnCodec, columnCodec } from '../database/raw-select.js';
import { MailTransport, type MailToSend } from './mail-transport.js';
import { OutboxMessage, type OutboxStatus } from './outbox-message.entity.js';

const POLL_MS = 1000;
const BATCH = 10;
/** How long a claimed message is this instance's; past it, another instance may retry it. */
const CLAIM_MS = 120_000;
/**
 * One attempt's limit, however the relay behaves (nodemailer's timeouts are per step, and a relay
 * that trickles bytes resets them): well inside the claim, so no other instance takes the message
 * while this one may still be sending it.
 */
const SEND_DEADLINE_MS = 60_000;
const MAX_RETRY_DELAY_SECONDS = 3600;
/**
 * How long shutdown waits for a delivery under way; one cut short stays claimed and is sent
 * again when its claim lapses.
 */
const SHUTDOWN_WAIT_MS = 5000;

type ClaimedMessage = MailToSend & Pick<OutboxMessage, 'attempts'>;

/**
 * A delivered (or abandoned) message keeps its envelope for the record but not its body: the
 * body holds a live link (a reset token is stored only as a hash everywhere else), and a copy
 * of the database must not become a pile of working links.
 */
const NO_BODY = { text: '', html: null };
/** How often the backlog is looked at, and how long a message may wait before it is reported. */
const BACKLOG_CHECK_MS = 60_000;
const BACKLOG_REPORT_AFTER_MS = 60_000;
/** How long the envelopes of sent and failed messages are kept. */
const KEEP_FINISHED_MS = 7 * 86_400_000;

/**
 * Delivers the outbox in the background: every second (and at once after `wake()`), it claims
 * up to ten due messages with one UPDATE … RETURNING (on PostgreSQL over `FOR UPDATE SKIP
 * LOCKED`, so instances never claim the same message), sends each, and marks it sent, or due
 * again after a delay that doubles per attempt, or failed after `OUTBOX_MAX_ATTEMPTS`. A claim
 * lapses after two minutes, so a message whose instance died mid-send goes out from another (or
 * after a restart): delivery is at least once, and twice only in that case. A slow or absent relay
 * never touches a request: requests only insert rows.
 */
@Injectable()
export class OutboxSender
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('Mail');
  private readonly maxAttempts: number;
  private readonly retryDelaySeconds: number;
  private readonly claimSql: string;
  private readonly dueAt: ColumnCodec;
  private timer: NodeJS.Timeout | undefined;
  private backlogTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = false;
  private failing = false;

  constructor(
    @InjectRepository(OutboxMessage)
    private readonly messages: Repository<OutboxMessage>,
    private readonly transport: MailTransport,
    config: ConfigService<Settings, true>,
  ) {
    this.maxAttempts = config.get('mail.OUTBOX_MAX_ATTEMPTS', { infer: true });
    this.retryDelaySeconds = config.get('mail.OUTBOX_RETRY_DELAY', {
      infer: true,
    });
    this.dueAt = columnCodec(messages, 'dueAt');
    const dataSource = messages.manager.connection;
    this.claimSql = withPlaceholders(
      dataSource,
      `UPDATE "outbox_messages"
      SET "status" = 'sending', "dueAt" = ?, "attempts" = "attempts" + 1
      WHERE "id" IN (
        SELECT "id" FROM "outbox_messages"
        WHERE "status" IN ('pending', 'sending') AND "dueAt" <= ?
        ORDER BY "dueAt" LIMIT ${BATCH}${isPostgres(dataSource) ? ' FOR UPDATE SKIP LOCKED' : ''}
      )
      RETURNING "id", "kind", "recipient", "subject", "text", "html", "attempts"`,
    );
  }

  onApplicationBootstrap(): void {
    this.logger.log(`outgoing mail goes to ${this.transport.destination}`);
    this.schedule(0);
    this.backlogTimer = setInterval(
      () => void this.reviewBacklog(),
      BACKLOG_CHECK_MS,
    ).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.backlogTimer);
    await withDeadline(
      this.running ?? Promise.resolve(),
      SHUTDOWN_WAIT_MS,
      'delivery still under way',
    ).catch(() => undefined);
    this.transport.close();
  }

  /** Delivers what is due now rather than at the next poll (after enqueueing, say). */
  wake(): void {
    if (this.stopped || this.running) return;
    clearTimeout(this.timer);
    this.schedule(0);
  }

  /**
   * Says in the log when mail has been waiting for more than a minute (a relay that is down or
   * refusing shows here, while readiness stays green: mail is asynchronous), and forgets the
   * envelopes of messages finished a week ago.
   */
  async reviewBacklog(): Promise<void> {
    try {
      const waiting = { status: In(['pending', 'sending'] as OutboxStatus[]) };
      const oldest = await this.messages.findOne({
        where: waiting,
        order: { createdAt: 'ASC' },
        select: { id: true, createdAt: true },
      });
      const age = oldest ? Date.now() - oldest.createdAt.getTime() : 0;
      if (age > BACKLOG_REPORT_AFTER_MS) {
        const count = await this.messages.countBy(waiting);
        this.logger.warn(
          `outbox: ${count} mail(s) waiting, the oldest for ${Math.round(age / 1000)} s`,
        );
      }
      await this.messages.delete({
        status: In(['sent', 'failed'] as OutboxStatus[]),
        createdAt: LessThan(new Date(Date.now() - KEEP_FINISHED_MS)),
      });
    } catch {
      // The claim loop reports a database that does not answer, once per outage.
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.deliverDue().finally(() => {
        this.running = null;
        if (!this.stopped) this.schedule(POLL_MS);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async deliverDue(): Promise<void> {
    try {
      for (;;) {
        const claimed = await this.claim();
        if (this.failing) this.logger.log('outbox: the database answers again');
        this.failing = false;
        if (claimed.length === 0) return;
        // At once, so that a batch ends (each send within SEND_DEADLINE_MS) well inside its claim.
        await Promise.all(claimed.map((message) => this.deliver(message)));
        if (this.stopped) return;
      }
    } catch (error) {
      if (!this.failing) {
        this.logger.error(
          `outbox: cannot read due mail (${(error as Error).message}); retrying every second`,
        );
      }
      this.failing = true;
    }
  }

  private async claim(): Promise<ClaimedMessage[]> {
    const now = Date.now();
    const runner = this.messages.manager.connection.createQueryRunner();
    try {
      const result = await runner.query(
        this.claimSql,
        [
          this.dueAt.toDatabase(new Date(now + CLAIM_MS)),
          this.dueAt.toDatabase(new Date(now)),
        ],
        true,
      );
      return (result.records ?? []) as ClaimedMessage[];
    } finally {
      await runner.release();
    }
  }

  private async deliver(message: ClaimedMessage): Promise<void> {
    try {
      await withDeadline(
        this.transport.send(message),
        SEND_DEADLINE_MS,
        `the relay did not take the message within ${SEND_DEADLINE_MS / 1000} s`,
      );
    } catch (error) {
      await this.failed(
        message,
        (error as Error).message,
        isPermanentRefusal(error),
      );
      return;
    }
    await this.messages.update(
      { id: message.id },
      { status: 'sent', sentAt: new Date(), lastError: null, ...NO_BODY },
    );
  }

  private async failed(
    message: ClaimedMessage,
    reason: string,
    permanent: boolean,
  ): Promise<void> {
    const attempts = Number(message.attempts);
    const lastError = reason.slice(0, 500);
    const label = `mail ${message.id} (${message.kind})`;
    if (permanent || attempts >= this.maxAttempts) {
      await this.messages.update(
        { id: message.id },
        { status: 'failed', lastError, ...NO_BODY },
      );
      this.logger.error(
        permanent
          ? `${label} refused for good by the relay: ${lastError}`
          : `${label} failed for good after ${attempts} attempts: ${lastError}`,
      );
      return;
    }
    const delaySeconds = Math.min(
      this.retryDelaySeconds * 2 ** (attempts - 1),
      MAX_RETRY_DELAY_SECONDS,
    );
    await this.messages.update(
      { id: message.id },
      {
        status: 'pending',
        dueAt: new Date(Date.now() + delaySeconds * 1000),
        lastError,
      },
    );
    this.logger.warn(
      `${label} attempt ${attempts}/${this.maxAttempts} failed (${lastError}); retry in ${delaySeconds} s`,
    );
  }
}

/**
 * Whether the relay said no for good: an SMTP 5xx reply (RFC 5321 §4.2.1, "permanent negative
 * completion": the same message would be refused again), which nodemailer puts in `responseCode`.
 * 4xx replies, timeouts and connection failures are worth another attempt.
 */
function isPermanentRefusal(error: unknown): boolean {
  const { responseCode } = (error ?? {}) as { responseCode?: unknown };
  return (
    typeof responseCode === 'number' &&
    responseCode >= 500 &&
    responseCode < 600
  );
}
