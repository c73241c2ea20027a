import type { QueryRunner } from 'typeorm';
import { isPostgres } from '../dialect.js';

/**
 * Runs the statements written for the connected database. Migrations are plain SQL per dialect
 * so that a reviewer sees exactly what each database receives.
 */
export async function runForDriver(
  queryRunner: QueryRunner,
  statements: { postgres: string[]; sqlite: string[] },
): Promise<void> {
  const dialect = isPostgres(queryRunner.connection) ? 'postgres' : 'sqlite';
  for (const sql of statements[dialect]) {
    await queryRunner.query(sql);
  }
}
