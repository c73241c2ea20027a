import type { DataSource } from 'typeorm';

/** Whether the connection is PostgreSQL (else SQLite): the one test for dialect differences. */
export const isPostgres = (dataSource: DataSource): boolean =>
  dataSource.options.type === 'postgres';

/** SQL written with `?` placeholders, in PostgreSQL's `$1…$n` form when that is the dialect. */
export function withPlaceholders(dataSource: DataSource, sql: string): string {
  if (!isPostgres(dataSource)) return sql;
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}
