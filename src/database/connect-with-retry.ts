import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { newDataSource } from './sqlite-transaction-lock.js';
import { errorCode } from './database-errors.js';
import { isWorthRetrying } from './startup-errors.js';

const RETRY_DELAY_MS = 1000;

/**
 * Opens the database at start-up, retrying for up to `timeoutSeconds` while it cannot be reached
 * (a database still starting next to Warden), with one line per failed attempt. Errors that
 * waiting cannot fix (a missing database, a refused password) fail at once. The lines go to
 * stderr: the application's logger is not running yet.
 */
export async function connectWithRetry(
  options: DataSourceOptions,
  timeoutSeconds: number,
): Promise<DataSource> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    const dataSource = newDataSource(options);
    try {
      return await dataSource.initialize();
    } catch (error) {
      if (!isWorthRetrying(error) || Date.now() + RETRY_DELAY_MS > deadline)
        throw error;
      const reason = errorCode(error) || (error as Error).message;
      process.stderr.write(
        `Database not reachable (${reason}), attempt ${attempt}; retrying for up to ${timeoutSeconds} s (DATABASE_CONNECT_TIMEOUT)\n`,
      );
      await sleep(RETRY_DELAY_MS);
    }
  }
}
