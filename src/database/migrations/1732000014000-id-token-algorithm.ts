import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A client's ID-token algorithm (OpenID Connect Dynamic Client Registration's
 * `id_token_signed_response_alg`): RS256, which every client already got, or ES256.
 */
export class IdTokenAlgorithm1732000014000 implements MigrationInterface {
  name = 'IdTokenAlgorithm1732000014000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "clients" ADD "idTokenSignedResponseAlg" varchar(8) NOT NULL DEFAULT 'RS256'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // No constraint names the column, so SQLite (3.35+) drops it as PostgreSQL does.
    await queryRunner.query(
      `ALTER TABLE "clients" DROP COLUMN "idTokenSignedResponseAlg"`,
    );
  }
}
