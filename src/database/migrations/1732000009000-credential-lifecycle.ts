import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from './sql-dialect.js';

/**
 * What the credential lifecycle needs to find: the passkey a session was signed in with (its
 * sessions end when it is removed), and the sign-in method a "this was not me" link removes.
 */
export class CredentialLifecycle1732000009000 implements MigrationInterface {
  name = 'CredentialLifecycle1732000009000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [
        `ALTER TABLE "sessions" ADD COLUMN "passkeyId" uuid`,
        `ALTER TABLE "account_tokens" ADD COLUMN "methodKind" varchar(32)`,
        `ALTER TABLE "account_tokens" ADD COLUMN "methodId" varchar(36)`,
      ],
      sqlite: [
        `ALTER TABLE "sessions" ADD COLUMN "passkeyId" varchar(36)`,
        `ALTER TABLE "account_tokens" ADD COLUMN "methodKind" varchar(32)`,
        `ALTER TABLE "account_tokens" ADD COLUMN "methodId" varchar(36)`,
      ],
    });
    await queryRunner.query(
      `CREATE INDEX "IDX_sessions_passkey" ON "sessions" ("passkeyId") WHERE "passkeyId" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_sessions_passkey"`);
    for (const [table, column] of [
      ['account_tokens', 'methodId'],
      ['account_tokens', 'methodKind'],
      ['sessions', 'passkeyId'],
    ])
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "${column}"`);
  }
}
