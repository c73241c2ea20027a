import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * `COUNT(*)` of a query's rows. TypeORM's own `getCount()` and `count()` count
 * `DISTINCT id`, which makes the database de-duplicate every row instead of counting an index.
 */
export async function countRows<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
): Promise<number> {
  const row = await query
    .select('COUNT(*)', 'total')
    .getRawOne<{ total: string | number }>();
  return Number(row?.total ?? 0);
}
