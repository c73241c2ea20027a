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
 * this process-wide lock keeps transactions apart from everything else: a transaction holds it
 * from BEGIN to COMMIT or ROLLBACK, alone; statements outside transactions share it (they are
 * atomic on their own). A waiting transaction goes before statements that arrive after it, so a
 * steady stream of reads cannot starve it. Whoever waits longer than `SQLITE_LOCK_TIMEOUT_MS`
 * fails as SQLITE_BUSY (a 503), as a second writer on SQLite's own lock would.
 *
 * So inside a transaction, reach the database only through its manager (another runner would
 * wait for the transaction that waits for it, until the timeout), and do slow work such as
 * password hashing before it begins.
 */
export class TransactionLock {
  private holder: object | null = null;
  /** Statements outside any transaction that are running now. */
  private statements = 0;
  private transactionsWaiting = 0;
  private waiters: { wake: () => void; fail: () => void; deadline: number }[] =
    [];
  private sweeper: NodeJS.Timeout | undefined;

  isHeldBy(runner: object): boolean {
    return this.holder === runner;
  }

  /** Lets a statement outside a transaction in, if nothing is in the way: no promise. */
  tryEnterStatement(): boolean {
    if (this.holder !== null || this.transactionsWaiting > 0) return false;
    this.statements++;
    return true;
  }

  async enterStatement(): Promise<void> {
    const deadline = Date.now() + SQLITE_LOCK_TIMEOUT_MS;
    // Checked and counted in one turn of the event loop, as in `acquire`.
    while (!this.tryEnterStatement()) await this.wait(deadline);
  }

  leaveStatement(): void {
    this.statements--;
    if (this.statements === 0) this.wakeAll();
  }

  tryAcquire(runner: object): boolean {
    if (this.holder !== null || this.statements > 0) return false;
    this.holder = runner;
    return true;
  }

  async acquire(runner: object): Promise<void> {
    const deadline = Date.now() + SQLITE_LOCK_TIMEOUT_MS;
    this.transactionsWaiting++;
    try {
      // The check and the taking happen in one turn of the event loop: of the waiters woken by
      // one release, the first takes the lock and the others wait again.
      while (!this.tryAcquire(runner)) await this.wait(deadline);
    } finally {
      this.transactionsWaiting--;
    }
  }

  release(runner: object): void {
    if (this.holder !== runner) return;
    this.holder = null;
    this.wakeAll();
  }

  private wait(deadline: number): Promise<void> {
    if (Date.now() >= deadline) return Promise.reject(lockTimeout());
    // One timer for all waiters, rather than one each: waiting is common under load.
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
    return new Promise((resolve, reject) =>
      this.waiters.push({
        wake: resolve,
        fail: () => reject(lockTimeout()),
        deadline,
      }),
    );
  }

  private wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.wake();
    this.stopSweeperWhenIdle();
  }

  private sweep(): void {
    const now = Date.now();
    const expired = this.waiters.filter((waiter) => waiter.deadline <= now);
    this.waiters = this.waiters.filter((waiter) => waiter.deadline > now);
    for (const waiter of expired) waiter.fail();
    this.stopSweeperWhenIdle();
  }

  private stopSweeperWhenIdle(): void {
    if (this.waiters.length > 0 || this.sweeper === undefined) return;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

/** How often waits past their deadline are failed. */
const SWEEP_MS = 100;

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
      return super.query(
        // TypeORM begins deferred: the write lock is taken at the first write, and if another
        // process (a second instance on the same file) committed since this transaction's first
        // read, SQLite fails that write at once with SQLITE_BUSY_SNAPSHOT, without waiting.
        // IMMEDIATE takes the write lock at BEGIN, where busy_timeout waits for it.
        query === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : query,
        parameters,
        useStructuredResult,
      );
    if (!this.lock.tryEnterStatement()) await this.lock.enterStatement();
    try {
      return await super.query(query, parameters, useStructuredResult);
    } finally {
      this.lock.leaveStatement();
    }
  }

  override async startTransaction(level?: IsolationLevel): Promise<void> {
    const outermost = !this.lock.isHeldBy(this);
    if (outermost && !this.lock.tryAcquire(this)) await this.lock.acquire(this);
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
