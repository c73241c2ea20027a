import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The rows that hold granted scopes: sessions, and second steps waiting for their code. */
const TABLES = ['sessions', 'mfa_tokens'] as const;

/** Renames one scope in every stored space-separated list that holds it (SQL both databases speak). */
function renameScope(from: string, to: string): string[] {
  return TABLES.map(
    (table) =>
      `UPDATE "${table}" SET "scope" = trim(replace(' ' || "scope" || ' ', ' ${from} ', ' ${to} ')) WHERE ' ' || "scope" || ' ' LIKE '% ${from} %'`,
  );
}

/**
 * The API scope `profile` is called `account` (docs/upgrading.md), so that OpenID's claim scope
 * of that name can never change a password. Sessions and pending second steps granted it keep
 * it under its new name: their refresh tokens go on giving what they gave.
 */
export class AccountScope1732000011000 implements MigrationInterface {
  name = 'AccountScope1732000011000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of renameScope('profile', 'account'))
      await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of renameScope('account', 'profile'))
      await queryRunner.query(statement);
  }
}
