import type { EntityManager } from 'typeorm';
import { isPostgres } from './dialect.js';

/**
 * Holds one user's row until the transaction of `manager` ends, so that transactions which read
 * and then change that user's rows (count, then insert; delete the set, then insert a new one)
 * run one after another, on every instance: without it, two such transactions both count 19 and
 * both insert, or both delete nothing of the other's set and both insert theirs. On PostgreSQL
 * this is `SELECT … FOR UPDATE` on `users`, after which READ COMMITTED statements see everything
 * committed before the lock was granted. SQLite needs nothing: its transactions already run one
 * at a time (`TransactionLock` in sqlite-transaction-lock.ts).
 */
export async function lockUserRow(
  manager: EntityManager,
  userId: string,
): Promise<void> {
  if (!isPostgres(manager.connection)) return;
  await manager
    .createQueryBuilder()
    .select('1')
    .from('users', 'owner')
    .where('owner.id = :id', { id: userId })
    .setLock('pessimistic_write')
    .getRawOne();
}
