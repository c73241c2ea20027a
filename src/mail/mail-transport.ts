import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { writeFile } from 'node:fs/promises';
import { ensureWritableFolder, FolderProblem } from '../common/folders.js';
import { ConfigurationError } from '../config/configuration-error.js';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Settings } from '../config/settings.js';
import type { OutboxMessage } from './outbox-message.entity.js';

/** What the transport needs of an outbox row. */
export type MailToSend = Pick<
  OutboxMessage,
  'id' | 'kind' | 'recipient' | 'subject' | 'text' | 'html'
>;

/** A MIME part whose content is written unencoded (8bit, UTF-8). */
const asIs = (contentType: string, content: string): string =>
  `Content-Type: ${contentType}; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${content}`;

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

  constructor(config: ConfigService<Settings, true>) {
    this.from = config.get('mail.MAIL_FROM', { infer: true });
    this.directory = config.get('mail.MAIL_OUTBOX_DIR', { infer: true });
    const url = config.get('mail.SMTP_URL', { infer: true });
    const requireTls = config.get('mail.SMTP_REQUIRE_TLS', { infer: true });
    // Deadlines for the relay: a frozen one must fail the attempt, not hold it forever.
    const timeoutMs = config.get('mail.SMTP_TIMEOUT', { infer: true }) * 1000;
    this.smtp = url
      ? nodemailer.createTransport({
          url,
          // smtp:// must upgrade with STARTTLS before credentials or mail cross the wire;
          // smtps:// is TLS from the first byte.
          requireTLS: requireTls && url.startsWith('smtp:'),
          ignoreTLS: !requireTls,
          connectionTimeout: timeoutMs,
          greetingTimeout: timeoutMs,
          socketTimeout: 3 * timeoutMs,
        })
      : null;
    if (!this.smtp) {
      // A folder mail cannot be written to is found now, not at the first signup.
      try {
        ensureWritableFolder(this.directory);
      } catch (error) {
        if (!(error instanceof FolderProblem)) throw error;
        throw new ConfigurationError([
          `MAIL_OUTBOX_DIR (where mail goes without SMTP_URL): ${error.message}`,
        ]);
      }
    }
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
    // The file is for people: its parts are written as they are (8bit; lines stay far below
    // RFC 5322's 998), so a link can be copied out of it whole. Quoted-printable, nodemailer's
    // choice for long lines, would break it and write its `=` as `=3D`.
    const raw = await nodemailer
      .createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
      .sendMail({
        ...mail,
        text: { raw: asIs('text/plain', message.text) },
        ...(message.html
          ? { html: { raw: asIs('text/html', message.html) } }
          : {}),
      });
    ensureWritableFolder(this.directory);
    const file = join(this.directory, `${message.id}.eml`);
    await writeFile(file, raw.message as Buffer);
    this.logger.log(`mail ${message.id} (${message.kind}) written to ${file}`);
  }

  close(): void {
    this.smtp?.close();
  }
}
