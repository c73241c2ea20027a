import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface TestSmtp {
  /** `smtp://127.0.0.1:<port>` (plain: tests set SMTP_REQUIRE_TLS=false, allowed for localhost). */
  url: string;
  port: number;
  received: ParsedMail[];
  /** Resolves with the first message received that matches, waiting up to `timeoutMs`. */
  waitFor(
    match: (mail: ParsedMail) => boolean,
    timeoutMs?: number,
  ): Promise<ParsedMail>;
  close(): Promise<void>;
}

/**
 * The settings that point an application at a relay on this machine's `port` (plain SMTP, which
 * SMTP_REQUIRE_TLS=false allows only for a relay on this machine).
 */
export const relaySettings = (port: number): Record<string, string> => ({
  SMTP_URL: `smtp://127.0.0.1:${port}`,
  SMTP_REQUIRE_TLS: 'false',
});

/**
 * A real SMTP server (npm `smtp-server`) on 127.0.0.1, keeping every message it accepts parsed
 * with `mailparser`. `port` reuses a port (to bring a "down" relay back); `options` can make it
 * refuse mail.
 */
export async function startSmtp(
  port = 0,
  options: Partial<SMTPServerOptions> = {},
): Promise<TestSmtp> {
  const received: ParsedMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push(mail);
          for (const wake of waiters.splice(0)) wake();
          callback();
        })
        .catch((error: Error) => callback(error));
    },
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${actualPort}`,
    port: actualPort,
    received,
    async waitFor(match, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`no matching mail within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 1000));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token of the account link in a mail (`…?token=<token>`). */
export function linkToken(mail: ParsedMail): string {
  const token = /[?&]token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
  if (!token) throw new Error(`no link in mail "${mail.subject}"`);
  return token;
}

/** The account link in a mail, whole (`…?token=<token>[&continue=…]`). */
export function accountLink(mail: ParsedMail): URL {
  const link = /https?:\/\/\S*[?&]token=\S+/.exec(mail.text ?? '')?.[0];
  if (!link) throw new Error(`no link in mail "${mail.subject}"`);
  return new URL(link);
}

/** Whether a mail went to `address`. */
export const sentTo =
  (address: string) =>
  (mail: ParsedMail): boolean => {
    const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
    return to.some((field) =>
      field.value.some((entry) => entry.address === address),
    );
  };
