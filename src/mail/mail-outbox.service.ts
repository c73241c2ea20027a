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
 * SQLite transactions are isolated by `newDataSource`'s lock, so this holds on both databases.
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
