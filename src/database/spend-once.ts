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

/** `where`, narrowed to rows not spent yet and not expired. */
export function unspent<T extends SingleUse>(
  where: FindOptionsWhere<T>,
): FindOptionsWhere<T> {
  return { ...where, usedAt: IsNull(), expiresAt: MoreThan(new Date()) };
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
  // TypeORM's mapped types cannot see that any T here has a usedAt.
  const spent = { usedAt: new Date() } as unknown as QueryDeepPartialEntity<T>;
  const { affected } = await manager.update(entity, unspent(where), spent);
  return affected === 1;
}
