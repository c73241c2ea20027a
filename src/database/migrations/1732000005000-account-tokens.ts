import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from './sql-dialect.js';

/** Single-use tokens sent by mail: email verification, password reset, email change. */
export class AccountTokens1732000005000 implements MigrationInterface {
  name = 'AccountTokens1732000005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [
        `CREATE TABLE "account_tokens" (
          "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          "userId" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "kind" varchar(32) NOT NULL,
          "tokenHash" char(64) NOT NULL,
          "newEmail" varchar(254),
          "expiresAt" timestamptz NOT NULL,
          "usedAt" timestamptz,
          "createdAt" timestamptz NOT NULL DEFAULT now()
        )`,
      ],
      sqlite: [
        `CREATE TABLE "account_tokens" (
          "id" varchar(36) PRIMARY KEY NOT NULL,
          "userId" varchar(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "kind" varchar(32) NOT NULL,
          "tokenHash" char(64) NOT NULL,
          "newEmail" varchar(254),
          "expiresAt" datetime NOT NULL,
          "usedAt" datetime,
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
        )`,
      ],
    });
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_account_tokens_hash" ON "account_tokens" ("tokenHash")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_account_tokens_user_kind" ON "account_tokens" ("userId", "kind")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "account_tokens"`);
  }
}
