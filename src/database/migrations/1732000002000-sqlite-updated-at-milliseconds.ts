import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from './sql-dialect.js';

const TABLES = ['users', 'todos', 'posts'];

/**
 * TypeORM writes `"updatedAt" = CURRENT_TIMESTAMP` into every UPDATE, which SQLite evaluates to
 * whole seconds, so a row edited in the second it was created showed `updatedAt` before
 * `createdAt`. On SQLite a trigger restamps `updatedAt` with milliseconds after every update
 * (recursive triggers are off, so its own UPDATE does not fire it again). PostgreSQL's
 * CURRENT_TIMESTAMP keeps microseconds and needs nothing.
 */
export class SqliteUpdatedAtMilliseconds1732000002000 implements MigrationInterface {
  name = 'SqliteUpdatedAtMilliseconds1732000002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [],
      sqlite: TABLES.map(
        (
          table,
        ) => `CREATE TRIGGER "TR_${table}_updated_at_ms" AFTER UPDATE ON "${table}"
          FOR EACH ROW BEGIN
            UPDATE "${table}" SET "updatedAt" = strftime('%Y-%m-%d %H:%M:%f', 'now')
            WHERE "id" = NEW."id";
          END`,
      ),
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [],
      sqlite: TABLES.map(
        (table) => `DROP TRIGGER IF EXISTS "TR_${table}_updated_at_ms"`,
      ),
    });
  }
}
