import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from './sql-dialect.js';

/**
 * The authorization code flow (issue 25): browser sessions (a session row the `__Host-warden`
 * cookie names by the SHA-256 of its secret), sessions issued to a registered client as
 * children of the browser session they came from (no foreign key: the service ends children
 * with their parent, and a constraint would keep SQLite from dropping the column on the way
 * down), authorization codes, and consents.
 */
export class AuthorizationCodes1732000013000 implements MigrationInterface {
  name = 'AuthorizationCodes1732000013000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [
        `ALTER TABLE "sessions" ADD "parentId" uuid`,
        `ALTER TABLE "sessions" ADD "clientId" varchar(64)`,
        `ALTER TABLE "sessions" ADD "browserTokenHash" char(64)`,
        `CREATE TABLE "authorization_codes" (
          "codeHash" char(64) PRIMARY KEY,
          "clientId" varchar(64) NOT NULL,
          "userId" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "browserSessionId" uuid NOT NULL REFERENCES "sessions" ("id") ON DELETE CASCADE,
          "redirectUri" text NOT NULL,
          "codeChallenge" varchar(128) NOT NULL,
          "nonce" text,
          "scope" text NOT NULL,
          "expiresAt" timestamptz NOT NULL,
          "redeemedAt" timestamptz,
          "sessionId" uuid,
          "createdAt" timestamptz NOT NULL DEFAULT now()
        )`,
        `CREATE TABLE "consents" (
          "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          "userId" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "clientId" varchar(64) NOT NULL,
          "scope" text NOT NULL,
          "createdAt" timestamptz NOT NULL DEFAULT now(),
          "updatedAt" timestamptz NOT NULL DEFAULT now()
        )`,
      ],
      sqlite: [
        `ALTER TABLE "sessions" ADD "parentId" varchar(36)`,
        `ALTER TABLE "sessions" ADD "clientId" varchar(64)`,
        `ALTER TABLE "sessions" ADD "browserTokenHash" char(64)`,
        `CREATE TABLE "authorization_codes" (
          "codeHash" char(64) PRIMARY KEY NOT NULL,
          "clientId" varchar(64) NOT NULL,
          "userId" varchar(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "browserSessionId" varchar(36) NOT NULL REFERENCES "sessions" ("id") ON DELETE CASCADE,
          "redirectUri" text NOT NULL,
          "codeChallenge" varchar(128) NOT NULL,
          "nonce" text,
          "scope" text NOT NULL,
          "expiresAt" datetime NOT NULL,
          "redeemedAt" datetime,
          "sessionId" varchar(36),
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
        )`,
        `CREATE TABLE "consents" (
          "id" varchar(36) PRIMARY KEY NOT NULL,
          "userId" varchar(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "clientId" varchar(64) NOT NULL,
          "scope" text NOT NULL,
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
          "updatedAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
        )`,
      ],
    });
    for (const sql of [
      `CREATE UNIQUE INDEX "UQ_sessions_browser_token" ON "sessions" ("browserTokenHash") WHERE "browserTokenHash" IS NOT NULL`,
      `CREATE INDEX "IDX_sessions_parent" ON "sessions" ("parentId") WHERE "parentId" IS NOT NULL`,
      `CREATE INDEX "IDX_sessions_client" ON "sessions" ("clientId") WHERE "clientId" IS NOT NULL`,
      `CREATE INDEX "IDX_authorization_codes_expires" ON "authorization_codes" ("expiresAt")`,
      `CREATE INDEX "IDX_authorization_codes_client" ON "authorization_codes" ("clientId")`,
      `CREATE UNIQUE INDEX "UQ_consents_user_client" ON "consents" ("userId", "clientId")`,
      `CREATE INDEX "IDX_consents_client" ON "consents" ("clientId")`,
    ])
      await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "consents"`);
    await queryRunner.query(`DROP TABLE "authorization_codes"`);
    await queryRunner.query(`DROP INDEX "IDX_sessions_client"`);
    await queryRunner.query(`DROP INDEX "IDX_sessions_parent"`);
    await queryRunner.query(`DROP INDEX "UQ_sessions_browser_token"`);
    // No constraint names these columns, so SQLite (3.35+) drops them as PostgreSQL does.
    for (const column of ['browserTokenHash', 'clientId', 'parentId'])
      await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "${column}"`);
  }
}
