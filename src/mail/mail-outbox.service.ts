import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OutboxMessage } from './outbox-message.entity.js';

export interface OutgoingMail {
  /** What the mail is about, for logs: `password-reset`, `email-verification`, … */
  kind: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Puts mail in the outbox. Call it with the `EntityManager` of the transaction that makes the
 * change the mail is about: both commit, or neither does. `OutboxSender` delivers it.
 *
 * On SQLite, TypeORM has one connection: while a `dataSource.transaction()` awaits, statements
 * that other requests send run inside it and roll back with it (measured: an insert made
 * "outside" during a transaction that then failed was gone). No flow uses this yet; one that
 * does must keep SQLite transactions from interleaving with other writes (a process-wide write
 * lock, or one synchronous better-sqlite3 transaction), not just call `dataSource.transaction()`.
 */
@Injectable()
export class MailOutbox {
  async enqueue(manager: EntityManager, mail: OutgoingMail): Promise<void> {
    await manager.insert(OutboxMessage, {
      kind: mail.kind,
      recipient: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html ?? null,
      status: 'pending',
      attempts: 0,
      dueAt: new Date(),
      lastError: null,
      sentAt: null,
    });
  }
}
