import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes that serve each list's WHERE and its whole ORDER BY (the `id` tie-breaker included),
 * so a page costs O(page) on both databases instead of a sort of every matching row. The same
 * statements read the same in both dialects. `test/list-query-plans.e2e-spec.ts` checks the
 * plans with EXPLAIN.
 */
export class ListIndexes1732000003000 implements MigrationInterface {
  name = 'ListIndexes1732000003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of [
      `DROP INDEX "IDX_posts_created"`,
      `DROP INDEX "IDX_posts_author_created"`,
      `DROP INDEX "IDX_todos_owner_created"`,
      `CREATE INDEX "IDX_posts_created_id" ON "posts" ("createdAt", "id")`,
      `CREATE INDEX "IDX_posts_author_created_id" ON "posts" ("authorId", "createdAt", "id")`,
      `CREATE INDEX "IDX_todos_owner_created_id" ON "todos" ("ownerId", "createdAt", "id")`,
      `CREATE INDEX "IDX_todos_owner_done_created_id" ON "todos" ("ownerId", "done", "createdAt", "id")`,
      `CREATE INDEX "IDX_users_created_id" ON "users" ("createdAt", "id")`,
    ]) {
      await queryRunner.query(sql);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of [
      `DROP INDEX "IDX_users_created_id"`,
      `DROP INDEX "IDX_todos_owner_done_created_id"`,
      `DROP INDEX "IDX_todos_owner_created_id"`,
      `DROP INDEX "IDX_posts_author_created_id"`,
      `DROP INDEX "IDX_posts_created_id"`,
      `CREATE INDEX "IDX_todos_owner_created" ON "todos" ("ownerId", "createdAt")`,
      `CREATE INDEX "IDX_posts_created" ON "posts" ("createdAt")`,
      `CREATE INDEX "IDX_posts_author_created" ON "posts" ("authorId", "createdAt")`,
    ]) {
      await queryRunner.query(sql);
    }
  }
}
