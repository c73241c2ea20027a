import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/timestamps.js';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

/**
 * A mail waiting to go out, written in the same transaction as the change that causes it, so a
 * committed change always has its mail and a rolled-back one never does. `OutboxSender` delivers
 * it.
 */
@Entity({ name: 'outbox_messages' })
export class OutboxMessage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** What the mail is about (`password-reset`, …), for logs. */
  @Column({ type: 'varchar', length: 64 })
  kind: string;

  @Column({ type: 'varchar', length: 254 })
  recipient: string;

  @Column({ type: 'varchar', length: 200 })
  subject: string;

  @Column({ type: 'text' })
  text: string;

  @Column({ type: 'text', nullable: true })
  html: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: OutboxStatus;

  @Column({ type: 'integer' })
  attempts: number;

  /** When a pending message is next due; while sending, when its claim lapses. */
  @Column({ type: Date })
  dueAt: Date;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @Column({ type: Date, nullable: true })
  sentAt: Date | null;
}
