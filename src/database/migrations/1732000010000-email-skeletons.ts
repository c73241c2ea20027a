import { Logger } from '@nestjs/common';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { confusableSkeleton, isAscii } from '../../users/confusables.js';
import { withPlaceholders } from '../dialect.js';
import { runForDriver } from './sql-dialect.js';

const BATCH = 1000;

/**
 * Addresses compared by their UTS #39 confusable skeleton (`users.emailSkeleton`), with a
 * unique index that lets one account per look-alike group hold it (`emailSkeletonClaim`; see
 * `UsersService`). Existing accounts are given theirs here; where two already look alike, both
 * keep working, the later one holds no claim, and the migration says which they are instead of
 * failing.
 */
export class EmailSkeletons1732000010000 implements MigrationInterface {
  name = 'EmailSkeletons1732000010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [
        `ALTER TABLE "users" ADD COLUMN "emailSkeleton" text`,
        `ALTER TABLE "users" ADD COLUMN "emailSkeletonClaim" text`,
      ],
      sqlite: [
        `ALTER TABLE "users" ADD COLUMN "emailSkeleton" text`,
        `ALTER TABLE "users" ADD COLUMN "emailSkeletonClaim" text`,
      ],
    });
    const holders = new Map<string, { id: string; ascii: boolean }>();
    const collisions: string[] = [];
    let offset = 0;
    for (;;) {
      const rows = (await queryRunner.query(
        `SELECT "id", "email" FROM "users" ORDER BY "createdAt", "id" LIMIT ${BATCH} OFFSET ${offset}`,
      )) as { id: string; email: string }[];
      if (rows.length === 0) break;
      offset += rows.length;
      for (const { id, email } of rows) {
        const skeleton = confusableSkeleton(email);
        const ascii = isAscii(email);
        const holder = holders.get(skeleton);
        let claim: string | null = skeleton;
        if (holder) {
          claim = null;
          if (!(ascii && holder.ascii))
            collisions.push(`${id} (like ${holder.id})`);
        } else {
          holders.set(skeleton, { id, ascii });
        }
        await queryRunner.query(
          withPlaceholders(
            queryRunner.connection,
            `UPDATE "users" SET "emailSkeleton" = ?, "emailSkeletonClaim" = ? WHERE "id" = ?`,
          ),
          [skeleton, claim, id],
        );
      }
    }
    await queryRunner.query(
      `CREATE INDEX "IDX_users_email_skeleton" ON "users" ("emailSkeleton")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_users_email_skeleton_claim" ON "users" ("emailSkeletonClaim")`,
    );
    if (collisions.length > 0)
      new Logger('Migration').warn(
        `${collisions.length} existing account(s) have an address that looks like an older account's (UTS #39 skeleton); they keep working, and new look-alikes are refused: ${collisions.join(', ')}`,
      );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_users_email_skeleton_claim"`);
    await queryRunner.query(`DROP INDEX "IDX_users_email_skeleton"`);
    await queryRunner.query(
      `ALTER TABLE "users" DROP COLUMN "emailSkeletonClaim"`,
    );
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "emailSkeleton"`);
  }
}
