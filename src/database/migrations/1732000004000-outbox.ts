import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from './sql-dialect.js';

/** The mail outbox: messages written with the change that causes them, delivered afterwards. */
export class Outbox1732000004000 implements MigrationInterface {
  name = 'Outbox1732000004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      postgres: [
        `CREATE TABLE "outbox_messages" (
          "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          "kind" varchar(64) NOT NULL,
          "recipient" varchar(254) NOT NULL,
          "subject" varchar(200) NOT NULL,
          "text" text NOT NULL,
          "html" text,
          "status" varchar(16) NOT NULL,
          "attempts" integer NOT NULL DEFAULT 0,
          "dueAt" timestamptz NOT NULL,
          "lastError" text,
          "createdAt" timestamptz NOT NULL DEFAULT now(),
          "sentAt" timestamptz
        )`,
      ],
      sqlite: [
        `CREATE TABLE "outbox_messages" (
          "id" varchar(36) PRIMARY KEY NOT NULL,
          "kind" varchar(64) NOT NULL,
          "recipient" varchar(254) NOT NULL,
          "subject" varchar(200) NOT NULL,
          "text" text NOT NULL,
          "html" text,
          "status" varchar(16) NOT NULL,
          "attempts" integer NOT NULL DEFAULT 0,
          "dueAt" datetime NOT NULL,
          "lastError" text,
          "createdAt" datetime NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
          "sentAt" datetime
        )`,
      ],
    });
    // The sender's claim reads due messages in due order; sent ones leave the index's range.
    await queryRunner.query(
      `CREATE INDEX "IDX_outbox_status_due" ON "outbox_messages" ("status", "dueAt")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "outbox_messages"`);
  }
}
