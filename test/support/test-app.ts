import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from './database.js';
import { testOidcKeyFile } from './oidc-key.js';

export const TEST_JWT_SECRET =
  'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
/** 32 bytes, hex (fixed, and random enough for production): every test server's MFA_ENCRYPTION_KEY. */
export const TEST_MFA_KEY =
  '8c1f4e9a27d6b35e0a7c92f1e48d6b3a5f0c27e9d14b8a63c5e2f907b1d4a68e';

export interface TestApp {
  app: NestFastifyApplication;
  /** The Node server, for supertest. */
  server: Server;
  dataSource: DataSource;
  /** MAIL_OUTBOX_DIR: where mail goes as .eml files when no SMTP_URL is set. */
  mailDirectory: string;
  close(): Promise<void>;
}

/**
 * Boots the real application (`createApp`, exactly what `npm start` runs) on a database of its
 * own, with the test settings plus `env`. The settings are read and validated when the
 * application is built (`createApp`), and `close()` puts `process.env` back as it was, so test
 * files that share a worker (the in-process projects do not isolate files, for speed) never see
 * each other's settings.
 */
export async function startTestApp(
  env: Record<string, string> = {},
): Promise<TestApp> {
  const database: TestDatabase = await createTestDatabase();
  const environmentBefore = { ...process.env };
  const mailDirectory = mkdtempSync(join(tmpdir(), 'warden-mail-'));
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    OIDC_SIGNING_KEY_FILE: testOidcKeyFile(),
    JWT_SECRET: TEST_JWT_SECRET,
    MFA_ENCRYPTION_KEY: TEST_MFA_KEY,
    DATABASE_URL: database.url,
    // Cheap hashing keeps the suite fast; one test checks the production defaults.
    ARGON2_MEMORY_KIB: '4096',
    ARGON2_TIME_COST: '1',
    // Every test file makes hundreds of requests from 127.0.0.1; the rate-limit suite turns
    // the limits back on.
    RATE_LIMIT: '0',
    AUTH_RATE_LIMIT: '0',
    LOGIN_FAILURE_LIMIT: '0',
    // Without SMTP_URL, signups' verification mails become .eml files: kept out of the tree.
    MAIL_OUTBOX_DIR: mailDirectory,
    ...env,
  });
  const { createApp } = await import('../../src/app.setup.js');
  const { DataSource } = await import('typeorm');
  const app = await createApp();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    server: app.getHttpServer(),
    dataSource: app.get(DataSource),
    mailDirectory: process.env.MAIL_OUTBOX_DIR ?? mailDirectory,
    close: async () => {
      await app.close();
      await database.drop();
      rmSync(mailDirectory, { recursive: true, force: true });
      for (const name of Object.keys(process.env)) {
        if (!(name in environmentBefore)) delete process.env[name];
      }
      Object.assign(process.env, environmentBefore);
    },
  };
}
