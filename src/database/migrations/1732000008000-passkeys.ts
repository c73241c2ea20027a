import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from './sql-dialect.js';

/** Passkeys (WebAuthn credentials) and the challenges of their ceremonies. */
export class Passkeys1732000008000 implements MigrationInterface {
  name = 'Passkeys1732000008000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [
        `CREATE TABLE "passkeys" (
          "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          "userId" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "credentialId" varchar(1024) NOT NULL,
          "publicKey" text NOT NULL,
          "counter" bigint NOT NULL,
          "transports" text NOT NULL,
          "deviceType" varchar(16) NOT NULL,
          "name" varchar(64) NOT NULL,
          "createdAt" timestamptz NOT NULL DEFAULT now(),
          "lastUsedAt" timestamptz
        )`,
        `CREATE TABLE "webauthn_challenges" (
          "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          "challengeHash" char(64) NOT NULL,
          "ceremony" varchar(16) NOT NULL,
          "userId" uuid REFERENCES "users" ("id") ON DELETE CASCADE,
          "expiresAt" timestamptz NOT NULL,
          "usedAt" timestamptz,
          "createdAt" timestamptz NOT NULL DEFAULT now()
        )`,
      ],
      sqlite: [
        `CREATE TABLE "passkeys" (
          "id" varchar(36) PRIMARY KEY NOT NULL,
          "userId" varchar(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "credentialId" varchar(1024) NOT NULL,
          "publicKey" text NOT NULL,
          "counter" bigint NOT NULL,
          "transports" text NOT NULL,
          "deviceType" varchar(16) NOT NULL,
          "name" varchar(64) NOT NULL,
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
          "lastUsedAt" datetime
        )`,
        `CREATE TABLE "webauthn_challenges" (
          "id" varchar(36) PRIMARY KEY NOT NULL,
          "challengeHash" char(64) NOT NULL,
          "ceremony" varchar(16) NOT NULL,
          "userId" varchar(36) REFERENCES "users" ("id") ON DELETE CASCADE,
          "expiresAt" datetime NOT NULL,
          "usedAt" datetime,
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
        )`,
      ],
    });
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_passkeys_credential" ON "passkeys" ("credentialId")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_passkeys_user" ON "passkeys" ("userId", "createdAt")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_webauthn_challenges_hash" ON "webauthn_challenges" ("challengeHash")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_webauthn_challenges_expires" ON "webauthn_challenges" ("expiresAt")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "webauthn_challenges"`);
    await queryRunner.query(`DROP TABLE "passkeys"`);
  }
}
