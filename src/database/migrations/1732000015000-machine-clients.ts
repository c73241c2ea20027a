import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from './sql-dialect.js';

/**
 * Machine clients (issue 26): the permission to introspect tokens, and the access tokens issued
 * by the client credentials grant (no session holds them, so revocation needs a row of its own).
 * Registered clients keep their grant types; the new grant is opted into at registration.
 */
export class MachineClients1732000015000 implements MigrationInterface {
  name = 'MachineClients1732000015000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [
        `ALTER TABLE "clients" ADD "allowIntrospection" boolean NOT NULL DEFAULT false`,
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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "client_access_tokens"`);
    await queryRunner.query(
      `ALTER TABLE "clients" DROP COLUMN "allowIntrospection"`,
    );
  }
}
