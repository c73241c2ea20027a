import type { ObjectLiteral, Repository } from 'typeorm';
import { withPlaceholders } from './dialect.js';

/**
 * A hand-written SELECT for a hot list, built once and run through the connection TypeORM
 * already holds (`repository.query`: on SQLite its query runner keeps the prepared statement),
 * with TypeORM's own conversions for every parameter and result column, so rows come back
 * exactly as TypeORM would hydrate them and parameters bind exactly as it would bind them. It
 * exists because TypeORM's query builder spent more CPU building the SQL and hydrating entities
 * than the database spent answering (docs/performance.md).
 *
 * Placeholders are written `?`; PostgreSQL gets `$1…$n`. Result columns are aliased to the
 * entity's property names (`"author.username"` for a joined entity's).
 */
export class RawSelect {
  readonly sql: string;

  constructor(
    private readonly repository: Repository<ObjectLiteral>,
    sql: string,
  ) {
    this.sql = withPlaceholders(repository.manager.connection, sql);
  }

  run<Row>(parameters: readonly unknown[]): Promise<Row[]> {
    return this.repository.query(this.sql, [...parameters]);
  }
}

/** How one entity column travels to and from the database, as TypeORM converts it. */
export interface ColumnCodec {
  toDatabase(value: unknown): unknown;
  fromDatabase(raw: unknown): unknown;
}

export function columnCodec<T extends ObjectLiteral>(
  repository: Repository<T>,
  property: keyof T & string,
): ColumnCodec {
  const column = repository.metadata.findColumnWithPropertyName(property);
  if (!column)
    throw new Error(`${repository.metadata.name} has no ${property}`);
  const driver = repository.manager.connection.driver;
  return {
    // TypeORM types both conversions as `any`.
    toDatabase: (value): unknown =>
      driver.preparePersistentValue(value, column) as unknown,
    fromDatabase: (raw): unknown =>
      driver.prepareHydratedValue(raw, column) as unknown,
  };
}

/** The pieces of a list's SQL; `where` and `join` may hold `?` placeholders (`where`'s only). */
export interface ListSql {
  columns: string;
  from: string;
  /** Joined for the page only: a many-to-one join, which cannot change the count. */
  join?: string;
  where?: string;
  orderBy: string;
}

/**
 * One list shape: its page statement (`LIMIT ? OFFSET ?`) and its count (`COUNT(*)` over the
 * same WHERE, which an index answers), run together.
 */
export class ListSelect<Raw, Row> {
  private readonly page: RawSelect;
  private readonly count: RawSelect;

  constructor(
    repository: Repository<ObjectLiteral>,
    sql: ListSql,
    private readonly toRow: (raw: Raw) => Row,
  ) {
    const where = sql.where ? ` WHERE ${sql.where}` : '';
    this.page = new RawSelect(
      repository,
      `SELECT ${sql.columns} FROM ${sql.from}${sql.join ? ` ${sql.join}` : ''}${where} ORDER BY ${sql.orderBy} LIMIT ? OFFSET ?`,
    );
    this.count = new RawSelect(
      repository,
      `SELECT COUNT(*) AS "total" FROM ${sql.from}${where}`,
    );
  }

  async fetch(
    parameters: readonly unknown[],
    page: { limit: number; offset: number },
  ): Promise<[Row[], number]> {
    const [rows, [counted]] = await Promise.all([
      this.page.run<Raw>(this.pageParameters(parameters, page)),
      this.count.run<{ total: number | string }>(parameters),
    ]);
    return [rows.map(this.toRow), Number(counted?.total ?? 0)];
  }

  /** The page's SQL and parameters; for the query-plan test. */
  pageStatement(
    parameters: readonly unknown[],
    page: { limit: number; offset: number },
  ): [string, unknown[]] {
    return [this.page.sql, this.pageParameters(parameters, page)];
  }

  private pageParameters(
    parameters: readonly unknown[],
    page: { limit: number; offset: number },
  ): unknown[] {
    return [...parameters, page.limit, page.offset];
  }
}
