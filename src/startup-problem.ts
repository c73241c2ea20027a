import { ConfigurationError } from './config/configuration-error.js';
import type { Settings } from './config/settings.js';
import { errorCode } from './database/database-errors.js';
import { databaseStartupProblem } from './database/startup-errors.js';

interface SystemError {
  syscall?: unknown;
  port?: unknown;
  address?: unknown;
}

/**
 * What `node dist/main.js` prints when it cannot start: one line that names the cause and the
 * variable to change, for everything an operator can fix (configuration, the database, the
 * address to listen on). Anything else is a bug, and keeps its stack trace.
 */
export function startupProblem(
  error: unknown,
  settings: Settings | undefined,
): string {
  if (error instanceof ConfigurationError) return error.message;
  const database = databaseStartupProblem(
    error,
    settings?.database.DATABASE_URL ?? '',
  );
  const cause = settings
    ? explain(error as SystemError | null, settings)
    : null;
  const line = database ?? cause;
  if (line) return `Warden failed to start: ${line}`;
  return `Warden failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

function explain(error: SystemError | null, settings: Settings): string | null {
  const { HOST, PORT } = settings.app;
  if (!error) return null;
  const code = errorCode(error);
  const text = (value: unknown, fallback: string) =>
    typeof value === 'string' || typeof value === 'number'
      ? String(value)
      : fallback;
  const listen = `${text(error.address, HOST)}:${text(error.port, String(PORT))}`;
  if (error.syscall === 'listen' || code === 'EADDRINUSE') {
    switch (code) {
      case 'EADDRINUSE':
        return `${listen} is already in use (PORT, HOST): stop what listens there or choose another PORT`;
      case 'EACCES':
        return `not allowed to listen on ${listen} (PORT): ports below 1024 need privileges`;
      case 'EADDRNOTAVAIL':
        return `${HOST} is not an address of this machine (HOST)`;
    }
  }
  const database = settings.database.DATABASE_URL;
  if (database.startsWith('sqlite:')) {
    if (code === 'SQLITE_CANTOPEN') {
      return `cannot open the SQLite database ${database.slice('sqlite:'.length)} (DATABASE_URL): its folder must exist or be creatable, and be writable`;
    }
  }
  return null;
}
