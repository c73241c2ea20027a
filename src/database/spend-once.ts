import {
  type EntityManager,
  type EntityTarget,
  type FindOptionsWhere,
  IsNull,
  MoreThan,
} from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';

/** A single-use secret's row: spent once `usedAt` is set, worthless after `expiresAt`. */
interface SingleUse {
  usedAt: Date | null;
  expiresAt: Date;
}

/**
 * Spends the unused, unexpired row that `where` names (account links, `mfa_token`s, WebAuthn
 * challenges) with one conditional UPDATE: of any number of concurrent callers, exactly one gets
 * true.
 */
export async function spendOnce<T extends SingleUse>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  where: FindOptionsWhere<T>,
): Promise<boolean> {
  const now = new Date();
  // TypeORM's mapped types cannot see that any T here has usedAt and expiresAt.
  const unspent = {
    ...where,
    usedAt: IsNull(),
    expiresAt: MoreThan(now),
  } as FindOptionsWhere<T>;
  const spent = { usedAt: now } as unknown as QueryDeepPartialEntity<T>;
  const { affected } = await manager.update(entity, unspent, spent);
  return affected === 1;
}
