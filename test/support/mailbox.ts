import { simpleParser, type ParsedMail } from 'mailparser';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sentTo } from './smtp.js';
import { until } from './until.js';

/**
 * Parsed files, by path and size: a test file's outbox grows to hundreds of mails, and parsing each
 * one again on every look made a suite's mail checks quadratic. The size is part of the key
 * because the sender writes a file in pieces: a half-written one is parsed again once it grows.
 */
const parsed = new Map<string, Promise<ParsedMail>>();

function parse(path: string): Promise<ParsedMail> {
  const key = `${path}\0${statSync(path).size}`;
  let mail = parsed.get(key);
  if (!mail) {
    mail = simpleParser(readFileSync(path));
    parsed.set(key, mail);
  }
  return mail;
}

/**
 * The mail a server without an SMTP relay has written as .eml files to its MAIL_OUTBOX_DIR:
 * the first message to `address` (or anyone) whose subject matches and whose file is not in `seen` (which
 * it is added to), waiting up to `timeoutMs` for the sender to write it.
 */
export async function mailInOutbox(
  directory: string,
  /** null: to anyone. */
  address: string | null,
  subject: RegExp,
  seen: Set<string> = new Set(),
  timeoutMs = 30_000,
): Promise<ParsedMail> {
  const next = async (): Promise<ParsedMail | null> => {
    let files: string[] = [];
    try {
      files = readdirSync(directory).filter((file) => !seen.has(file));
    } catch {
      // Not made yet: the sender makes the folder with its first mail.
    }
    for (const file of files.sort()) {
      const mail = await parse(join(directory, file));
      if (address !== null && !sentTo(address)(mail)) continue;
      if (!subject.test(mail.subject ?? '')) continue;
      seen.add(file);
      return mail;
    }
    return null;
  };
  return (await until(next, (mail) => mail !== null, {
    timeoutMs,
    intervalMs: 50,
    what: `a mail to ${address ?? 'anyone'} matching ${subject}`,
  })) as ParsedMail;
}

/** Every mail to `address` written so far, oldest first. */
export async function mailsInOutbox(
  directory: string,
  address: string,
): Promise<ParsedMail[]> {
  let files: string[];
  try {
    files = readdirSync(directory).sort();
  } catch {
    return [];
  }
  const mails = await Promise.all(
    files.map((file) => parse(join(directory, file))),
  );
  return mails
    .filter(sentTo(address))
    .sort((a, b) => (a.date?.getTime() ?? 0) - (b.date?.getTime() ?? 0));
}
