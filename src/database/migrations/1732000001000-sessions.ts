import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from './sql-dialect.js';

/** Sessions (one per login; `sid` in access tokens) and their refresh-token families. */
export class Sessions1732000001000 implements MigrationInterface {
  name = 'Sessions1732000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [
        `CREATE TABLE "sessions" (
          "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          "userId" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "scope" text NOT NULL,
          "userAgent" varchar(512),
          "ip" varchar(64),
          "createdAt" timestamptz NOT NULL DEFAULT now(),
          "lastUsedAt" timestamptz NOT NULL DEFAULT now(),
          "idleExpiresAt" timestamptz NOT NULL,
          "absoluteExpiresAt" timestamptz NOT NULL,
          "endedAt" timestamptz,
          "endReason" varchar(32)
        )`,
        `CREATE TABLE "refresh_tokens" (
          "tokenHash" char(64) PRIMARY KEY,
          "sessionId" uuid NOT NULL REFERENCES "sessions" ("id") ON DELETE CASCADE,
          "createdAt" timestamptz NOT NULL DEFAULT now(),
          "rotatedAt" timestamptz
        )`,
      ],
      sqlite: [
        `CREATE TABLE "sessions" (
          "id" varchar(36) PRIMARY KEY NOT NULL,
          "userId" varchar(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "scope" text NOT NULL,
          "userAgent" varchar(512),
          "ip" varchar(64),
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
          "lastUsedAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
          "idleExpiresAt" datetime NOT NULL,
          "absoluteExpiresAt" datetime NOT NULL,
          "endedAt" datetime,
          "endReason" varchar(32)
        )`,
        `CREATE TABLE "refresh_tokens" (
          "tokenHash" char(64) PRIMARY KEY NOT NULL,
          "sessionId" varchar(36) NOT NULL REFERENCES "sessions" ("id") ON DELETE CASCADE,
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
          "rotatedAt" datetime
        )`,
      ],
    });
    await queryRunner.query(
      `CREATE INDEX "IDX_sessions_user" ON "sessions" ("userId")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_refresh_tokens_session" ON "refresh_tokens" ("sessionId")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
  }
}
