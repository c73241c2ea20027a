import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from './sql-dialect.js';

/** When the user proved the email address theirs (by a link mailed to it); null until then. */
export class EmailVerified1732000006000 implements MigrationInterface {
  name = 'EmailVerified1732000006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [
        `ALTER TABLE "users" ADD COLUMN "emailVerifiedAt" timestamptz`,
      ],
      sqlite: [`ALTER TABLE "users" ADD COLUMN "emailVerifiedAt" datetime`],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "users" DROP COLUMN "emailVerifiedAt"`,
    );
  }
}
