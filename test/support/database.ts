import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import {
  databaseOptions,
  type MIGRATIONS,
} from '../../src/database/database-options.js';
import { withPlaceholders } from '../../src/database/dialect.js';
import { newDataSource } from '../../src/database/sqlite-transaction-lock.js';
import { User } from '../../src/users/user.entity.js';
import { scratchDirectory } from './scratch.js';

export type TestDatabaseKind = 'sqlite' | 'postgres';

export const testDatabaseKind = (): TestDatabaseKind =>
  process.env.WARDEN_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file: an in-memory SQLite database, or a fresh schema in
 * the PostgreSQL of TEST_DATABASE_URL (selected through the connection's search_path), dropped
 * afterwards.
 */
export async function createTestDatabase(
  kind: TestDatabaseKind = testDatabaseKind(),
): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    return { url: 'sqlite::memory:', drop: async () => {} };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base)
    throw new Error('a PostgreSQL test database needs TEST_DATABASE_URL');
  const schema = `warden_test_${randomBytes(6).toString('hex')}`;
  await withClient(base, (client) => client.query(`CREATE SCHEMA "${schema}"`));
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: () =>
      withClient(base, (client) =>
        client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
      ),
  };
}

/**
 * A database that several applications or processes open in turn or at once: on SQLite a file in
 * `directory` (an in-memory database belongs to its one connection), else a schema of
 * TEST_DATABASE_URL as `createTestDatabase` makes it.
 */
export function createSharedTestDatabase(
  directory: string = scratchDirectory(),
): Promise<TestDatabase> {
  return testDatabaseKind() === 'sqlite'
    ? Promise.resolve({
        url: `sqlite:${join(directory, 'shared.sqlite')}`,
        drop: async () => {},
      })
    : createTestDatabase();
}

async function withClient(
  url: string,
  run: (client: pg.Client) => Promise<unknown>,
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A database for a migration's test: a SQLite file (memory would not outlive a connection) or a
 * PostgreSQL schema. `open` connects with the migrations given, which the test runs itself.
 */
export async function createMigrationTestDatabase(
  kind: TestDatabaseKind,
): Promise<{
  open(migrations: typeof MIGRATIONS): Promise<DataSource>;
  drop(): Promise<void>;
}> {
  const database = await createTestDatabase(kind);
  const url =
    kind === 'sqlite'
      ? `sqlite:${join(scratchDirectory(), 'migration.sqlite')}`
      : database.url;
  return {
    open: (migrations) =>
      newDataSource({
        ...databaseOptions(url),
        migrations,
        migrationsRun: false,
        logging: false,
      }).initialize(),
    drop: () => database.drop(),
  };
}

/**
 * A user row written with SQL, for the migration specs (no entity matches a schema half-way
 * through the migrations): the columns every schema since the email skeletons' has.
 */
export async function insertMigrationUser(
  dataSource: DataSource,
  user: { id: string; username: string; email: string; at?: string },
): Promise<void> {
  const at = user.at ?? new Date().toISOString();
  await dataSource.query(
    withPlaceholders(
      dataSource,
      `INSERT INTO "users" ("id", "username", "email", "passwordHash", "roles", "disabled", "mfaEnabled", "createdAt", "updatedAt") VALUES (?, ?, ?, 'x', 'user', ?, ?, ?, ?)`,
    ),
    [user.id, user.username, user.email, false, false, at, at],
  );
}

/** A row of the users table as stored, read through the application's own connection. */
export async function storedUser(
  testApp: { dataSource: DataSource },
  id: string,
): Promise<{
  passwordHash: string;
  email: string;
  disabled: boolean;
  roles: string;
}> {
  const row = await testApp.dataSource
    .createQueryBuilder()
    .select([
      'u.passwordHash AS "passwordHash"',
      'u.email AS "email"',
      'u.disabled AS "disabled"',
      'u.roles AS "roles"',
    ])
    .from('users', 'u')
    .where('u.id = :id', { id })
    .getRawOne();
  if (!row) throw new Error(`no user ${id}`);
  return row;
}

/** The databases a unit spec of a repository-backed service runs on: SQLite, and PostgreSQL when set. */
export const specDatabaseKinds = (): TestDatabaseKind[] =>
  process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/**
 * A migrated TypeORM connection to a database of its own (`createTestDatabase`), for unit specs
 * that build one service by hand; `close()` disconnects and drops it.
 */
export async function openSpecDatabase(
  kind: TestDatabaseKind,
): Promise<{ dataSource: DataSource; close(): Promise<void> }> {
  const database = await createTestDatabase(kind);
  const dataSource = await newDataSource(
    databaseOptions(database.url),
  ).initialize();
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

/** A user row with a unique name, for specs that need an owner. */
export async function saveSpecUser(dataSource: DataSource): Promise<User> {
  const unique = randomBytes(6).toString('hex');
  return dataSource.getRepository(User).save({
    username: `u${unique}`,
    email: `${unique}@example.com`,
    fullName: null,
    passwordHash: 'not used here',
    roles: ['user'],
    disabled: false,
  });
}

/**
 * Two transactions forced to overlap: `first` runs and then holds its transaction open while
 * `second` begins and has had `overlapMs` to run (or to wait for a lock); then `first` commits.
 * Without a lock between them, `second` cannot see what `first` wrote; with one, it waits and
 * then sees it. Resolves to both results.
 */
export async function overlappingTransactions<A, B>(
  dataSource: DataSource,
  first: (manager: EntityManager) => Promise<A>,
  second: (manager: EntityManager) => Promise<B>,
  overlapMs = 300,
): Promise<[A, B]> {
  let commitFirst = () => {};
  const held = new Promise<void>((resolve) => (commitFirst = resolve));
  let firstDone = () => {};
  const firstHasRun = new Promise<void>((resolve) => (firstDone = resolve));
  const one = dataSource.transaction(async (manager) => {
    const result = await first(manager);
    firstDone();
    await held;
    return result;
  });
  // A failure of `first` must not leave the wait below hanging.
  one.catch(() => firstDone());
  await firstHasRun;
  const two = dataSource.transaction(second);
  await new Promise((resolve) => setTimeout(resolve, overlapMs));
  commitFirst();
  return [await one, await two];
}
