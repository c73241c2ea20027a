import { DataSource, type DataSourceOptions } from 'typeorm';
import type { BetterSqlite3Driver } from 'typeorm/driver/better-sqlite3/BetterSqlite3Driver.js';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner.js';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';

/** Like SQLite's own busy_timeout: how long a statement waits for another's transaction. */
export const SQLITE_LOCK_TIMEOUT_MS = 5000;

/**
 * A TypeORM DataSource whose SQLite transactions are isolated (see `TransactionLock`); a
 * PostgreSQL one is returned as it is. Every DataSource of the application is made here.
 */
export function newDataSource(options: DataSourceOptions): DataSource {
  const dataSource = new DataSource(options);
  if (options.type !== 'better-sqlite3') return dataSource;
  const driver = dataSource.driver as BetterSqlite3Driver;
  const lock = new TransactionLock();
  const statements = new Map<string, unknown>();
  driver.createQueryRunner = () =>
    new LockingQueryRunner(driver, lock, statements);
  return dataSource;
}

/**
 * TypeORM gives all of a SQLite database's work one query runner on its one connection. So a
 * second `transaction()` fails ("cannot start a transaction within a transaction"), and while one
 * transaction awaits, every other request's statements run inside it, see its uncommitted rows
 * and roll back with it. Here each operation gets its own runner on the shared connection, and
 * this process-wide lock is held by a transaction from BEGIN to COMMIT or ROLLBACK, and by any
 * other statement while it runs: the others wait for it (as a second writer waits on SQLite's
 * own lock), and fail as SQLITE_BUSY after `SQLITE_LOCK_TIMEOUT_MS`.
 *
 * So inside a transaction, reach the database only through its manager (another runner would
 * wait for the transaction that waits for it, until the timeout), and do slow work such as
 * password hashing before it begins.
 */
class TransactionLock {
  private holder: object | null = null;
  private freed: Promise<void> = Promise.resolve();
  private free: () => void = () => undefined;

  isHeldBy(runner: object): boolean {
    return this.holder === runner;
  }

  async acquire(runner: object): Promise<void> {
    const deadline = Date.now() + SQLITE_LOCK_TIMEOUT_MS;
    // The check and the taking happen in one turn of the event loop: of the waiters woken by one
    // release, the first takes the lock and the others wait again.
    while (this.holder !== null) {
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.freedWithin(left))) throw lockTimeout();
    }
    this.holder = runner;
    this.freed = new Promise((resolve) => (this.free = resolve));
  }

  release(runner: object): void {
    if (this.holder !== runner) return;
    this.holder = null;
    this.free();
  }

  private freedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.freed.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }
}

/** The error SQLite itself gives a writer that waited out busy_timeout; answered with a 503. */
function lockTimeout(): Error {
  return Object.assign(
    new Error(
      `SQLITE_BUSY: waited ${SQLITE_LOCK_TIMEOUT_MS} ms for another transaction to finish`,
    ),
    { code: 'SQLITE_BUSY' },
  );
}

class LockingQueryRunner extends BetterSqlite3QueryRunner {
  constructor(
    driver: BetterSqlite3Driver,
    private readonly lock: TransactionLock,
    statements: Map<string, unknown>,
  ) {
    super(driver);
    // TypeORM's prepared-statement cache is per runner and private; sharing it keeps the
    // statements prepared across operations, as they were with TypeORM's single runner.
    (this as unknown as { stmtCache: Map<string, unknown> }).stmtCache =
      statements;
  }

  override async query(
    query: string,
    parameters?: Parameters<BetterSqlite3QueryRunner['query']>[1],
    useStructuredResult?: boolean,
    // TypeORM's own result type; what the driver returns passes through untouched.
  ): ReturnType<BetterSqlite3QueryRunner['query']> {
    if (this.lock.isHeldBy(this))
      return super.query(query, parameters, useStructuredResult);
    await this.lock.acquire(this);
    try {
      return await super.query(query, parameters, useStructuredResult);
    } finally {
      this.lock.release(this);
    }
  }

  override async startTransaction(level?: IsolationLevel): Promise<void> {
    const outermost = !this.lock.isHeldBy(this);
    if (outermost) await this.lock.acquire(this);
    try {
      await super.startTransaction(level);
    } catch (error) {
      if (outermost) this.lock.release(this);
      throw error;
    }
  }

  override async commitTransaction(): Promise<void> {
    try {
      await super.commitTransaction();
    } finally {
      if (!this.isTransactionActive) this.lock.release(this);
    }
  }

  override async rollbackTransaction(): Promise<void> {
    try {
      await super.rollbackTransaction();
    } finally {
      if (!this.isTransactionActive) this.lock.release(this);
    }
  }

  override async release(): Promise<void> {
    // A runner given back with its transaction open would hold the lock for good.
    if (this.isTransactionActive) await this.rollbackTransaction();
    return super.release();
  }
}
