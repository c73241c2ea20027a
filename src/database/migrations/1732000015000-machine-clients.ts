import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isPostgres } from '../dialect.js';
import { runForDriver } from './sql-dialect.js';

/**
 * Machine clients and sender-constrained tokens (issue 26): the permission to introspect tokens,
 * a client's public keys (private_key_jwt) and whether it must use DPoP; the access tokens issued
 * by the client credentials grant (no session holds them, so revocation needs a row of its own);
 * the single-use `jti`s of DPoP proofs and client assertions when there is no Redis; and the key a
 * public client's session is bound to by DPoP. Registered clients keep their grant types and
 * methods; everything new is opted into at registration.
 */
export class MachineClients1732000015000 implements MigrationInterface {
  name = 'MachineClients1732000015000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [
        `ALTER TABLE "clients" ADD "allowIntrospection" boolean NOT NULL DEFAULT false`,
        `ALTER TABLE "clients" ADD "jwks" text`,
        `ALTER TABLE "clients" ADD "dpopBoundAccessTokens" boolean NOT NULL DEFAULT false`,
        `ALTER TABLE "sessions" ADD "dpopJkt" varchar(43)`,
        `CREATE TABLE "used_jtis" (
          "key" varchar(80) PRIMARY KEY,
          "expiresAt" timestamptz NOT NULL
        )`,
        `CREATE TABLE "client_access_tokens" (
          "id" uuid PRIMARY KEY,
          "clientId" varchar(64) NOT NULL,
          "scope" text NOT NULL,
          "expiresAt" timestamptz NOT NULL,
          "revokedAt" timestamptz
        )`,
      ],
      sqlite: [
        `ALTER TABLE "clients" ADD "allowIntrospection" boolean NOT NULL DEFAULT (0)`,
        `ALTER TABLE "clients" ADD "jwks" text`,
        `ALTER TABLE "clients" ADD "dpopBoundAccessTokens" boolean NOT NULL DEFAULT (0)`,
        `ALTER TABLE "sessions" ADD "dpopJkt" varchar(43)`,
        // One b-tree (no rowid, no index on expiresAt): a DPoP request without Redis inserts a
        // row, and each b-tree is a write; the sweep every 30 s reads the table through.
        `CREATE TABLE "used_jtis" (
          "key" varchar(80) PRIMARY KEY NOT NULL,
          "expiresAt" datetime NOT NULL
        ) WITHOUT ROWID`,
        `CREATE TABLE "client_access_tokens" (
          "id" varchar(36) PRIMARY KEY NOT NULL,
          "clientId" varchar(64) NOT NULL,
          "scope" text NOT NULL,
          "expiresAt" datetime NOT NULL,
          "revokedAt" datetime
        )`,
      ],
    });
    await queryRunner.query(
      `CREATE INDEX "IDX_client_access_tokens_client" ON "client_access_tokens" ("clientId")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_client_access_tokens_expires" ON "client_access_tokens" ("expiresAt")`,
    );
    if (isPostgres(queryRunner.connection))
      await queryRunner.query(
        `CREATE INDEX "IDX_used_jtis_expires" ON "used_jtis" ("expiresAt")`,
      );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "client_access_tokens"`);
    await queryRunner.query(`DROP TABLE "used_jtis"`);
    // No constraint names these columns, so SQLite (3.35+) drops them as PostgreSQL does.
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "dpopJkt"`);
    for (const column of [
      'dpopBoundAccessTokens',
      'jwks',
      'allowIntrospection',
    ])
      await queryRunner.query(`ALTER TABLE "clients" DROP COLUMN "${column}"`);
  }
}
