import { errorCode } from './database-errors.js';

/**
 * One line for an operator when the database cannot be used at start-up, naming what to fix, or
 * null when the error is something else. PostgreSQL's SQLSTATE codes and Node's socket codes are
 * stable; messages are not.
 */
export function databaseStartupProblem(
  error: unknown,
  databaseUrl: string,
): string | null {
  if (!databaseUrl.startsWith('postgres')) return null;
  const code = errorCode(error);
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return null;
  }
  const host = url.hostname || 'localhost';
  const port = url.port || '5432';
  const user = decodeURIComponent(url.username) || 'postgres';
  const database = decodeURIComponent(url.pathname.slice(1)) || user;
  switch (code) {
    case '3D000':
      return `database "${database}" does not exist on ${host}:${port} (DATABASE_URL); create it with: createdb -h ${host} -p ${port} -U ${user} ${database}`;
    case '28P01':
    case '28000':
      return `PostgreSQL at ${host}:${port} refused user "${user}" (DATABASE_URL): check the user name and password`;
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
      return `cannot reach PostgreSQL at ${host}:${port} (DATABASE_URL): ${code}`;
    default:
      return null;
  }
}

/**
 * Retrying at start-up helps a database that is still starting or not yet reachable, not one
 * that is missing, refuses the password, or a SQLite file that cannot be opened.
 */
export const isWorthRetrying = (error: unknown): boolean =>
  [
    'ECONNREFUSED',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ECONNRESET',
    'EAI_AGAIN',
    '57P03',
  ].includes(errorCode(error)) ||
  /timeout exceeded when trying to connect/.test(
    (error as Error | null)?.message ?? '',
  );
