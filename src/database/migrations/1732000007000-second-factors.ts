import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from './sql-dialect.js';

/**
 * TOTP factors, recovery codes and pending MFA logins; users say whether a second factor is on;
 * sessions remember how they were signed in (`amr`, RFC 8176) and when (`auth_time`).
 */
export class SecondFactors1732000007000 implements MigrationInterface {
  name = 'SecondFactors1732000007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [
        `ALTER TABLE "users" ADD COLUMN "mfaEnabled" boolean NOT NULL DEFAULT false`,
        `ALTER TABLE "sessions" ADD COLUMN "amr" varchar(64) NOT NULL DEFAULT 'pwd'`,
        `ALTER TABLE "sessions" ADD COLUMN "authTime" timestamptz`,
        `CREATE TABLE "totp_factors" (
          "userId" uuid PRIMARY KEY REFERENCES "users" ("id") ON DELETE CASCADE,
          "sealedSecret" text NOT NULL,
          "enabledAt" timestamptz,
          "lastUsedStep" bigint,
          "createdAt" timestamptz NOT NULL DEFAULT now()
        )`,
        `CREATE TABLE "recovery_codes" (
          "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          "userId" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "codeHash" char(64) NOT NULL,
          "usedAt" timestamptz,
          "createdAt" timestamptz NOT NULL DEFAULT now()
        )`,
        `CREATE TABLE "mfa_tokens" (
          "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          "userId" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "tokenHash" char(64) NOT NULL,
          "scope" text NOT NULL,
          "expiresAt" timestamptz NOT NULL,
          "usedAt" timestamptz,
          "createdAt" timestamptz NOT NULL DEFAULT now()
        )`,
      ],
      sqlite: [
        `ALTER TABLE "users" ADD COLUMN "mfaEnabled" boolean NOT NULL DEFAULT 0`,
        `ALTER TABLE "sessions" ADD COLUMN "amr" varchar(64) NOT NULL DEFAULT 'pwd'`,
        `ALTER TABLE "sessions" ADD COLUMN "authTime" datetime`,
        `CREATE TABLE "totp_factors" (
          "userId" varchar(36) PRIMARY KEY NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "sealedSecret" text NOT NULL,
          "enabledAt" datetime,
          "lastUsedStep" bigint,
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
        )`,
        `CREATE TABLE "recovery_codes" (
          "id" varchar(36) PRIMARY KEY NOT NULL,
          "userId" varchar(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "codeHash" char(64) NOT NULL,
          "usedAt" datetime,
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
        )`,
        `CREATE TABLE "mfa_tokens" (
          "id" varchar(36) PRIMARY KEY NOT NULL,
          "userId" varchar(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "tokenHash" char(64) NOT NULL,
          "scope" text NOT NULL,
          "expiresAt" datetime NOT NULL,
          "usedAt" datetime,
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
        )`,
      ],
    });
    // Sessions from before this migration were password logins that began when they were made.
    await queryRunner.query(`UPDATE "sessions" SET "authTime" = "createdAt"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_recovery_codes_user_hash" ON "recovery_codes" ("userId", "codeHash")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_mfa_tokens_hash" ON "mfa_tokens" ("tokenHash")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mfa_tokens_expires" ON "mfa_tokens" ("expiresAt")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "mfa_tokens"`);
    await queryRunner.query(`DROP TABLE "recovery_codes"`);
    await queryRunner.query(`DROP TABLE "totp_factors"`);
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "authTime"`);
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "amr"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "mfaEnabled"`);
  }
}
