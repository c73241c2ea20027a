import { QueryFailedError } from 'typeorm';

/**
 * The name of the unique index a failed write collided with, for PostgreSQL (23505) and SQLite
 * (SQLITE_CONSTRAINT_UNIQUE, and _PRIMARYKEY for a primary key), or undefined when the error is
 * something else.
 */
export function violatedUniqueIndex(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError = error.driverError as {
    code?: string;
    constraint?: string;
    message?: string;
  };
  if (driverError.code === '23505') return driverError.constraint ?? '';
  if (
    driverError.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    driverError.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  ) {
    // An expression index is named (`index 'UQ_users_email'`), a column index by its columns
    // (`users.emailSkeletonClaim`).
    const message = driverError.message ?? '';
    return (
      /index '([^']+)'/.exec(message)?.[1] ??
      /UNIQUE constraint failed: (.+)$/.exec(message)?.[1] ??
      ''
    );
  }
  return undefined;
}

/** The driver's own error: TypeORM wraps a failed query's in a QueryFailedError. */
export function driverErrorOf(error: unknown): unknown {
  return error instanceof QueryFailedError ? error.driverError : error;
}

/**
 * An error's `code` (a PostgreSQL SQLSTATE, a Node.js socket code, a SQLite result code), or ''
 * when it has none.
 */
export function errorCode(error: unknown): string {
  const { code } = (error ?? {}) as { code?: unknown };
  return typeof code === 'string' ? code : '';
}

/**
 * Whether PostgreSQL gave up a transaction that ran into another one (40P01, a deadlock;
 * 40001, a serialization failure): nothing is wrong with the request, and the same request a
 * moment later succeeds.
 */
export function isTransactionConflict(error: unknown): boolean {
  const code = errorCode(driverErrorOf(error));
  return code === '40P01' || code === '40001';
}
