import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { openSpecDatabase } from '../../test/support/database.js';
import { OutboxMessage } from '../mail/outbox-message.entity.js';
import { errorCode, driverErrorOf } from './database-errors.js';
import { isDatabaseUnavailable } from './database-outage.js';
import { databaseOptions } from './database-options.js';
import { newDataSource, TransactionLock } from './sqlite-transaction-lock.js';
import { scratchDirectory } from '../../test/support/scratch.js';

const row = (subject: string) => ({
  kind: 'test',
  recipient: 'someone@example.com',
  subject,
  text: 'body',
  html: null,
  status: 'pending' as const,
  attempts: 0,
  dueAt: new Date(),
  lastError: null,
  sentAt: null,
});

/**
 * TypeORM runs all of a SQLite database's work on one connection. These are the failures that
 * gives without the lock (each was seen before it existed): a second transaction cannot begin,
 * and another request's statements run inside a transaction and roll back with it.
 */
describe('SQLite transactions (real database)', () => {
  let database: Awaited<ReturnType<typeof openSpecDatabase>>;
  let dataSource: DataSource;
  const subjects = async () =>
    (await dataSource.getRepository(OutboxMessage).find())
      .map((message) => message.subject)
      .sort();

  beforeEach(async () => {
    database = await openSpecDatabase('sqlite');
    dataSource = database.dataSource;
  });
  afterEach(() => database.close());

  it('runs concurrent transactions one after the other, all committed', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        dataSource.transaction(async (manager) => {
          await manager.insert(OutboxMessage, row(`a${index}`));
          await sleep(5);
          await manager.insert(OutboxMessage, row(`b${index}`));
        }),
      ),
    );
    expect(await subjects()).toHaveLength(16);
  });

  it("keeps a write made outside a transaction out of it: the transaction's rollback does not take it", async () => {
    let insideStarted!: () => void;
    const started = new Promise<void>((resolve) => (insideStarted = resolve));
    const failing = dataSource.transaction(async (manager) => {
      await manager.insert(OutboxMessage, row('inside'));
      insideStarted();
      await sleep(50);
      throw new Error('rolled back on purpose');
    });
    await started;
    const outside = dataSource
      .getRepository(OutboxMessage)
      .insert(row('outside'));
    await expect(failing).rejects.toThrow('rolled back on purpose');
    await outside;
    expect(await subjects()).toEqual(['outside']);
  });

  it("does not let a read outside see a transaction's uncommitted rows", async () => {
    let insideWrote!: () => void;
    const wrote = new Promise<void>((resolve) => (insideWrote = resolve));
    const failing = dataSource.transaction(async (manager) => {
      await manager.insert(OutboxMessage, row('uncommitted'));
      insideWrote();
      await sleep(50);
      throw new Error('rolled back on purpose');
    });
    await wrote;
    expect(await subjects()).toEqual([]);
    await expect(failing).rejects.toThrow();
  });

  it('a save() elsewhere during a transaction commits on its own', async () => {
    const repository = dataSource.getRepository(OutboxMessage);
    const results = await Promise.allSettled([
      dataSource.transaction(async (manager) => {
        await manager.insert(OutboxMessage, row('t1'));
        await sleep(20);
        throw new Error('rolled back on purpose');
      }),
      repository.save(repository.create(row('saved'))),
      dataSource.transaction(async (manager) => {
        await manager.insert(OutboxMessage, row('t2'));
      }),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(await subjects()).toEqual(['saved', 't2']);
  });

  it('nests a transaction inside another as a savepoint', async () => {
    await dataSource.transaction(async (manager) => {
      await manager.insert(OutboxMessage, row('outer'));
      await manager
        .transaction(async (inner) => {
          await inner.insert(OutboxMessage, row('inner'));
          throw new Error('inner rolled back');
        })
        .catch(() => undefined);
    });
    expect(await subjects()).toEqual(['outer']);
  });

  it('fails a statement that waits too long for a transaction, as SQLITE_BUSY (a 503), instead of hanging', async () => {
    let release!: () => void;
    const held = dataSource.transaction(async (manager) => {
      await manager.insert(OutboxMessage, row('slow'));
      await new Promise<void>((resolve) => (release = resolve));
    });
    await sleep(10);
    const waited = Date.now();
    const blocked = await dataSource
      .getRepository(OutboxMessage)
      .count()
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(errorCode(driverErrorOf(blocked))).toBe('SQLITE_BUSY');
    expect(Date.now() - waited).toBeGreaterThanOrEqual(4900);
    release();
    await held;
    expect(await subjects()).toEqual(['slow']);
  }, 30_000);
});

/**
 * Two instances on one SQLite file (the passkey browser test runs two): each process has its own
 * lock, so SQLite's file lock is what keeps their transactions apart.
 */
describe('SQLite transactions of two processes on one file', () => {
  it("takes the write lock at BEGIN, so a transaction that read first is never failed by another process's commit", async () => {
    const options = databaseOptions(
      `sqlite:${scratchDirectory()}/shared.sqlite`,
    );
    if (options.type !== 'better-sqlite3') throw new Error('not SQLite');
    const first = await newDataSource({
      ...options,
      logging: false,
    }).initialize();
    // The other process gives up quickly: this test runs both in one thread, where waiting
    // would only wait for itself.
    const second = await newDataSource({
      ...options,
      timeout: 100,
      migrationsRun: false,
      logging: false,
    }).initialize();
    try {
      let otherWrite: unknown = 'not tried';
      await first.transaction(async (manager) => {
        await manager.count(OutboxMessage);
        // With a deferred BEGIN this write would succeed, and the insert below would fail at
        // once with SQLITE_BUSY_SNAPSHOT (a 500 in the passkey test).
        otherWrite = await second
          .getRepository(OutboxMessage)
          .insert(row('other'))
          .then(
            () => 'written',
            (error: unknown) => error,
          );
        await manager.insert(OutboxMessage, row('mine'));
      });
      expect(errorCode(driverErrorOf(otherWrite))).toBe('SQLITE_BUSY');
      expect(isDatabaseUnavailable(otherWrite)).toBe(true);
      const stored = await first.getRepository(OutboxMessage).find();
      expect(stored.map((message) => message.subject)).toEqual(['mine']);
    } finally {
      await second.destroy();
      await first.destroy();
    }
  });
});

describe('TransactionLock', () => {
  it('lets a waiting transaction go before statements that arrive after it, so reads cannot starve it', async () => {
    const lock = new TransactionLock();
    const transaction = {};
    const settled = (promise: Promise<void>) => {
      let done = false;
      void promise.then(() => (done = true));
      return () => done;
    };
    expect(lock.tryEnterStatement()).toBe(true); // a read in flight
    const acquired = settled(lock.acquire(transaction));
    expect(lock.tryEnterStatement()).toBe(false);
    const laterRead = settled(lock.enterStatement());
    await sleep(1);
    expect([acquired(), laterRead()]).toEqual([false, false]);
    lock.leaveStatement();
    await sleep(1);
    expect([acquired(), laterRead()]).toEqual([true, false]);
    expect(lock.isHeldBy(transaction)).toBe(true);
    lock.release(transaction);
    await sleep(1);
    expect(laterRead()).toBe(true);
    lock.leaveStatement();
    expect(lock.tryAcquire(transaction)).toBe(true);
  });
});
