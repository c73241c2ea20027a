import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { driverErrorOf, errorCode } from './database-errors.js';

/** How often an outage is probed, and what `Retry-After` tells clients meanwhile. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// PostgreSQL SQLSTATEs that mean "the database cannot serve now", not "this request is wrong":
// class 08 (connection exceptions), 53300 (too many connections), 57014 (statement_timeout),
// 57P01-57P03 (shutting down, crashed, starting up).
const UNAVAILABLE_SQLSTATE = /^(08...|53300|57014|57P0[123])$/;
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);
// node-postgres reports its own deadlines and lost connections only in the message.
const UNAVAILABLE_MESSAGE =
  /^(Query read timeout|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** Whether an error says the database is unreachable or too slow, rather than a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const cause = driverErrorOf(error);
  if (!(cause instanceof Error)) return false;
  const code = errorCode(cause);
  return (
    UNAVAILABLE_SQLSTATE.test(code) ||
    UNAVAILABLE_CODES.has(code) ||
    // SQLITE_BUSY and its extended codes (SQLITE_BUSY_SNAPSHOT, _RECOVERY, _TIMEOUT).
    /^SQLITE_BUSY(_|$)/.test(code) ||
    UNAVAILABLE_MESSAGE.test(cause.message)
  );
}

/**
 * Keeps a database outage to two log lines: one when requests start failing, one when the
 * database answers again (probed every few seconds while it is out), with the count of requests
 * refused in between, instead of a stack trace per request.
 */
@Injectable()
export class DatabaseOutage implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private since: number | null = null;
  private refused = 0;
  private probe: NodeJS.Timeout | undefined;

  constructor(private readonly dataSource: DataSource) {}

  /** Records a request refused because of `error`; logs only when an outage begins. */
  record(error: unknown): void {
    this.refused++;
    if (this.since !== null) return;
    this.since = Date.now();
    const cause = driverErrorOf(error);
    this.logger.error(
      `database unavailable (${cause instanceof Error ? cause.message : String(cause)}): answering 503 until it is back`,
    );
    this.probe = setInterval(
      () => void this.check(),
      DATABASE_RETRY_AFTER_SECONDS * 1000,
    ).unref();
  }

  private async check(): Promise<void> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      return;
    }
    if (this.since === null) return;
    this.logger.log(
      `database available again after ${Math.round((Date.now() - this.since) / 1000)} s; ${this.refused} request(s) were refused with 503`,
    );
    clearInterval(this.probe);
    this.since = null;
    this.refused = 0;
  }

  onApplicationShutdown(): void {
    clearInterval(this.probe);
  }
}
