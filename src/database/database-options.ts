import { Passkey } from '../passkeys/passkey.entity.js';
import { Client } from '../clients/client.entity.js';
import { ClientAccessToken } from '../clients/client-token.entity.js';
import { UsedJti } from '../replay/used-jti.entity.js';
import { MachineClients1732000015000 } from './migrations/1732000015000-machine-clients.js';
import { WebAuthnChallenge } from '../passkeys/webauthn-challenge.entity.js';
import { Passkeys1732000008000 } from './migrations/1732000008000-passkeys.js';
import { CredentialLifecycle1732000009000 } from './migrations/1732000009000-credential-lifecycle.js';
import { EmailSkeletons1732000010000 } from './migrations/1732000010000-email-skeletons.js';
import { AccountScope1732000011000 } from './migrations/1732000011000-account-scope.js';
import { Clients1732000012000 } from './migrations/1732000012000-clients.js';
import { AuthorizationCodes1732000013000 } from './migrations/1732000013000-authorization-codes.js';
import { IdTokenAlgorithm1732000014000 } from './migrations/1732000014000-id-token-algorithm.js';
import { AuthorizationCode } from '../authorization/authorization-code.entity.js';
import { Consent } from '../authorization/consent.entity.js';
import { MfaToken } from '../mfa/mfa-token.entity.js';
import { RecoveryCode } from '../mfa/recovery-code.entity.js';
import { TotpFactor } from '../mfa/totp-factor.entity.js';
import { SecondFactors1732000007000 } from './migrations/1732000007000-second-factors.js';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { ensureWritableFolder, FolderProblem } from '../common/folders.js';
import { ConfigurationError } from '../config/configuration-error.js';
import { Post } from '../posts/post.entity.js';
import { Todo } from '../todos/todo.entity.js';
import { User } from '../users/user.entity.js';
import { InitialSchema1732000000000 } from './migrations/1732000000000-initial-schema.js';
import { Sessions1732000001000 } from './migrations/1732000001000-sessions.js';
import { SqliteUpdatedAtMilliseconds1732000002000 } from './migrations/1732000002000-sqlite-updated-at-milliseconds.js';
import { ListIndexes1732000003000 } from './migrations/1732000003000-list-indexes.js';
import { Outbox1732000004000 } from './migrations/1732000004000-outbox.js';
import { AccountTokens1732000005000 } from './migrations/1732000005000-account-tokens.js';
import { EmailVerified1732000006000 } from './migrations/1732000006000-email-verified.js';
import { AccountToken } from '../users/account-token.entity.js';
import { OutboxMessage } from '../mail/outbox-message.entity.js';
import { RefreshToken } from '../sessions/refresh-token.entity.js';
import { Session } from '../sessions/session.entity.js';

export const ENTITIES = [
  User,
  Todo,
  Post,
  Session,
  RefreshToken,
  OutboxMessage,
  AccountToken,
  TotpFactor,
  RecoveryCode,
  MfaToken,
  Passkey,
  WebAuthnChallenge,
  Client,
  AuthorizationCode,
  Consent,
  ClientAccessToken,
  UsedJti,
];

/** Deadlines for the database (docs/production.md, "Deadlines"). */
export const POSTGRES_CONNECT_TIMEOUT_MS = 5000;
export const POSTGRES_QUERY_TIMEOUT_MS = 10_000;
const SQLITE_BUSY_TIMEOUT_MS = 5000;

export const MIGRATIONS = [
  InitialSchema1732000000000,
  Sessions1732000001000,
  SqliteUpdatedAtMilliseconds1732000002000,
  ListIndexes1732000003000,
  Outbox1732000004000,
  AccountTokens1732000005000,
  EmailVerified1732000006000,
  SecondFactors1732000007000,
  Passkeys1732000008000,
  CredentialLifecycle1732000009000,
  EmailSkeletons1732000010000,
  AccountScope1732000011000,
  Clients1732000012000,
  AuthorizationCodes1732000013000,
  IdTokenAlgorithm1732000014000,
  MachineClients1732000015000,
];

/** Makes the SQLite file's folder, or names DATABASE_URL in one line when it cannot be. */
function sqliteFolder(database: string): void {
  try {
    ensureWritableFolder(dirname(database));
  } catch (error) {
    if (!(error instanceof FolderProblem)) throw error;
    throw new ConfigurationError([
      `DATABASE_URL names a SQLite file whose folder ${error.message}`,
    ]);
  }
}

/**
 * Builds TypeORM options from `DATABASE_URL`: `sqlite:<file>` (better-sqlite3, WAL) or
 * `postgres://...`. The schema comes only from the committed migrations, which run at start-up;
 * `synchronize` stays off so that an entity edit can never silently alter a production table.
 */
export function databaseOptions(url: string): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Not 'error': TypeORM would print failed queries with their parameters (password hashes).
    // Failures surface as exceptions, which the exception filter logs without parameters.
    logging: ['warn', 'migration'] as ('warn' | 'migration')[],
    // Turns `where: { id: undefined }` into an error instead of "match every row".
    invalidWhereValuesBehavior: { null: 'throw', undefined: 'throw' },
  } as const;

  if (url.startsWith('sqlite:')) {
    const database = url.slice('sqlite:'.length);
    if (database !== ':memory:') sqliteFolder(database);
    return {
      ...common,
      type: 'better-sqlite3',
      database,
      enableWAL: database !== ':memory:',
      // Concurrent writers wait for the lock instead of failing at once with SQLITE_BUSY, but
      // not for longer than this (busy_timeout).
      timeout: SQLITE_BUSY_TIMEOUT_MS,
    };
  }
  return {
    ...common,
    type: 'postgres',
    url,
    // An idle pooled connection that breaks (a restart, a network cut) is dropped by the pool
    // and replaced on demand; TypeORM's default handler logs each one. An outage that reaches
    // requests is logged once by DatabaseOutage instead.
    poolErrorHandler: () => undefined,
    extra: {
      max: 10,
      // Connecting, or waiting for a free connection of the pool: a server that does not accept
      // is an error after this, not a request that hangs.
      connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
      // Client side: a query whose answer does not come (a frozen server) fails after this.
      query_timeout: POSTGRES_QUERY_TIMEOUT_MS,
      // Server side: PostgreSQL cancels a statement (a lock wait, a runaway plan) after this.
      statement_timeout: POSTGRES_QUERY_TIMEOUT_MS,
      idle_in_transaction_session_timeout: POSTGRES_QUERY_TIMEOUT_MS,
    },
  };
}
