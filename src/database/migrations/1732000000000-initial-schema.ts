import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from './sql-dialect.js';

/** Users, todos and posts. Uniqueness of emails and usernames is case-insensitive, in the database. */
export class InitialSchema1732000000000 implements MigrationInterface {
  name = 'InitialSchema1732000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [
        `CREATE TABLE "users" (
          "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          "username" varchar(32) NOT NULL,
          "email" varchar(254) NOT NULL,
          "fullName" varchar(100),
          "passwordHash" varchar(255) NOT NULL,
          "roles" text NOT NULL DEFAULT 'user',
          "disabled" boolean NOT NULL DEFAULT false,
          "createdAt" timestamptz NOT NULL DEFAULT now(),
          "updatedAt" timestamptz NOT NULL DEFAULT now()
        )`,
        `CREATE TABLE "todos" (
          "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          "ownerId" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "title" varchar(200) NOT NULL,
          "description" text,
          "done" boolean NOT NULL DEFAULT false,
          "createdAt" timestamptz NOT NULL DEFAULT now(),
          "updatedAt" timestamptz NOT NULL DEFAULT now()
        )`,
        `CREATE TABLE "posts" (
          "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          "authorId" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "title" varchar(200) NOT NULL,
          "content" text NOT NULL,
          "createdAt" timestamptz NOT NULL DEFAULT now(),
          "updatedAt" timestamptz NOT NULL DEFAULT now()
        )`,
      ],
      sqlite: [
        `CREATE TABLE "users" (
          "id" varchar(36) PRIMARY KEY NOT NULL,
          "username" varchar(32) NOT NULL,
          "email" varchar(254) NOT NULL,
          "fullName" varchar(100),
          "passwordHash" varchar(255) NOT NULL,
          "roles" text NOT NULL DEFAULT 'user',
          "disabled" boolean NOT NULL DEFAULT (0),
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
          "updatedAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
        )`,
        `CREATE TABLE "todos" (
          "id" varchar(36) PRIMARY KEY NOT NULL,
          "ownerId" varchar(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "title" varchar(200) NOT NULL,
          "description" text,
          "done" boolean NOT NULL DEFAULT (0),
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
          "updatedAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
        )`,
        `CREATE TABLE "posts" (
          "id" varchar(36) PRIMARY KEY NOT NULL,
          "authorId" varchar(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
          "title" varchar(200) NOT NULL,
          "content" text NOT NULL,
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
          "updatedAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
        )`,
      ],
    });
    // Expression indexes read the same in both dialects.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_users_email" ON "users" (lower("email"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_users_username" ON "users" (lower("username"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_todos_owner_created" ON "todos" ("ownerId", "createdAt")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_posts_created" ON "posts" ("createdAt")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_posts_author_created" ON "posts" ("authorId", "createdAt")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "posts"`);
    await queryRunner.query(`DROP TABLE "todos"`);
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
