import { CreateDateColumn, UpdateDateColumn } from 'typeorm';

/**
 * TypeORM inlines a column's default into SQLite INSERTs (SQLite has no DEFAULT keyword in
 * VALUES), and its built-in default, datetime('now'), drops the milliseconds that "newest first"
 * ordering needs. PostgreSQL inserts use the migration's default (now()) and never read this.
 */
const SQLITE_NOW_WITH_MILLISECONDS = () =>
  "strftime('%Y-%m-%d %H:%M:%f', 'now')";

export const CreatedAtColumn = () =>
  CreateDateColumn({ default: SQLITE_NOW_WITH_MILLISECONDS });

export const UpdatedAtColumn = () =>
  UpdateDateColumn({ default: SQLITE_NOW_WITH_MILLISECONDS });
