import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config/environment.js';
import type { OutboxMessage } from './outbox-message.entity.js';

/** What the transport needs of an outbox row. */
export type MailToSend = Pick<
  OutboxMessage,
  'id' | 'kind' | 'recipient' | 'subject' | 'text' | 'html'
>;

/** Deadlines for the SMTP relay: a frozen one must fail the attempt, not hold it forever. */
const SMTP_CONNECT_TIMEOUT_MS = 10_000;
const SMTP_SOCKET_TIMEOUT_MS = 30_000;

/**
 * Hands one message to the SMTP relay of `SMTP_URL` (nodemailer), or, without one, writes it as
 * an .eml file to `MAIL_OUTBOX_DIR` (development). Throws when the relay refuses or does not
 * answer; `OutboxSender` retries.
 */
@Injectable()
export class MailTransport {
  private readonly logger = new Logger('Mail');
  private readonly from: string;
  private readonly smtp: Transporter | null;
  private readonly directory: string;

  constructor(config: ConfigService<Config, true>) {
    this.from = config.get('MAIL_FROM', { infer: true });
    this.directory = config.get('MAIL_OUTBOX_DIR', { infer: true });
    const url = config.get('SMTP_URL', { infer: true });
    const requireTls = config.get('SMTP_REQUIRE_TLS', { infer: true });
    this.smtp = url
      ? nodemailer.createTransport({
          url,
          // smtp:// must upgrade with STARTTLS before credentials or mail cross the wire;
          // smtps:// is TLS from the first byte.
          requireTLS: requireTls && url.startsWith('smtp:'),
          ignoreTLS: !requireTls,
          connectionTimeout: SMTP_CONNECT_TIMEOUT_MS,
          greetingTimeout: SMTP_CONNECT_TIMEOUT_MS,
          socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
        })
      : null;
  }

  /** Where mail goes, for the start-up log. */
  get destination(): string {
    return this.smtp ? 'SMTP_URL' : `${this.directory}/*.eml`;
  }

  async send(message: MailToSend): Promise<void> {
    const mail = {
      from: this.from,
      to: message.recipient,
      subject: message.subject,
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
      messageId: `<${message.id}@warden>`,
    };
    if (this.smtp) {
      await this.smtp.sendMail(mail);
      return;
    }
    const raw = await nodemailer
      .createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
      .sendMail(mail);
    await mkdir(this.directory, { recursive: true });
    const file = join(this.directory, `${message.id}.eml`);
    await writeFile(file, raw.message as Buffer);
    this.logger.log(`mail ${message.id} (${message.kind}) written to ${file}`);
  }

  close(): void {
    this.smtp?.close();
  }
}
