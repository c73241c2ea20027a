import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { Post } from '../posts/post.entity.js';
import { Todo } from '../todos/todo.entity.js';
import { User } from '../users/user.entity.js';
import { InitialSchema1732000000000 } from './migrations/1732000000000-initial-schema.js';
import { Sessions1732000001000 } from './migrations/1732000001000-sessions.js';
import { SqliteUpdatedAtMilliseconds1732000002000 } from './migrations/1732000002000-sqlite-updated-at-milliseconds.js';
import { RefreshToken } from '../sessions/refresh-token.entity.js';
import { Session } from '../sessions/session.entity.js';

export const ENTITIES = [User, Todo, Post, Session, RefreshToken];
export const MIGRATIONS = [
  InitialSchema1732000000000,
  Sessions1732000001000,
  SqliteUpdatedAtMilliseconds1732000002000,
];

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
    if (database !== ':memory:')
      mkdirSync(dirname(database), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database,
      enableWAL: database !== ':memory:',
      // Concurrent writers wait for the lock instead of failing at once with SQLITE_BUSY.
      timeout: 5000,
    };
  }
  return {
    ...common,
    type: 'postgres',
    url,
    extra: { max: 10, connectionTimeoutMillis: 5000 },
  };
}
