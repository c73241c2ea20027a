import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from './sql-dialect.js';

/** Registered OAuth clients (issue 25). */
export class Clients1732000012000 implements MigrationInterface {
  name = 'Clients1732000012000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [
        `CREATE TABLE "clients" (
          "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          "clientId" varchar(64) NOT NULL,
          "name" varchar(100) NOT NULL,
          "tokenEndpointAuthMethod" varchar(32) NOT NULL,
          "secretHash" char(64),
          "redirectUris" text NOT NULL,
          "postLogoutRedirectUris" text NOT NULL,
          "grantTypes" text NOT NULL,
          "scope" text NOT NULL,
          "firstParty" boolean NOT NULL DEFAULT false,
          "createdAt" timestamptz NOT NULL DEFAULT now(),
          "updatedAt" timestamptz NOT NULL DEFAULT now()
        )`,
      ],
      sqlite: [
        `CREATE TABLE "clients" (
          "id" varchar(36) PRIMARY KEY NOT NULL,
          "clientId" varchar(64) NOT NULL,
          "name" varchar(100) NOT NULL,
          "tokenEndpointAuthMethod" varchar(32) NOT NULL,
          "secretHash" char(64),
          "redirectUris" text NOT NULL,
          "postLogoutRedirectUris" text NOT NULL,
          "grantTypes" text NOT NULL,
          "scope" text NOT NULL,
          "firstParty" boolean NOT NULL DEFAULT (0),
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
          "updatedAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
        )`,
      ],
    });
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_clients_client_id" ON "clients" ("clientId")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_clients_client_id"`);
    await queryRunner.query(`DROP TABLE "clients"`);
  }
}
