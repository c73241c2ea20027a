import { randomUUID } from 'node:crypto';
import {
  createMigrationTestDatabase,
  insertMigrationUser,
  specDatabaseKinds,
} from '../../../test/support/database.js';
import { withPlaceholders } from '../dialect.js';
import { MIGRATIONS } from '../database-options.js';
import { AuthorizationCodes1732000013000 } from './1732000013000-authorization-codes.js';

/**
 * The migration of the authorization code flow: sessions from before it are token sessions of no
 * client (the new columns are null), its tables take rows, and `down` leaves the schema as it
 * was (the sessions kept), so that `up` can run again.
 */
describe.each(specDatabaseKinds())(
  'AuthorizationCodes migration on %s',
  (kind) => {
    it('adds the columns and tables, and takes them away again', async () => {
      const { open, drop } = await createMigrationTestDatabase(kind);
      const index = MIGRATIONS.indexOf(AuthorizationCodes1732000013000);
      const userId = randomUUID();
      const sessionId = randomUUID();
      const before = await open(MIGRATIONS.slice(0, index));
      try {
        await before.runMigrations();
        const insert = (sql: string, parameters: unknown[]) =>
          before.query(withPlaceholders(before, sql), parameters);
        const now = new Date().toISOString();
        await insertMigrationUser(before, {
          id: userId,
          username: 'coded',
          email: 'coded@example.com',
          at: now,
        });
        await insert(
          `INSERT INTO "sessions" ("id", "userId", "scope", "authTime", "idleExpiresAt", "absoluteExpiresAt") VALUES (?, ?, 'account', ?, ?, ?)`,
          [sessionId, userId, now, now, now],
        );
      } finally {
        await before.destroy();
      }

      const after = await open(MIGRATIONS.slice(0, index + 1));
      try {
        await after.runMigrations();
        const [session] = await after.query<Record<string, unknown>[]>(
          'SELECT "parentId", "clientId", "browserTokenHash" FROM "sessions"',
        );
        expect(session).toEqual({
          parentId: null,
          clientId: null,
          browserTokenHash: null,
        });
        const now = new Date().toISOString();
        await after.query(
          withPlaceholders(
            after,
            `INSERT INTO "authorization_codes" ("codeHash", "clientId", "userId", "browserSessionId", "redirectUri", "codeChallenge", "scope", "expiresAt") VALUES (?, 'c', ?, ?, 'https://a.example/cb', ?, 'openid', ?)`,
          ),
          ['a'.repeat(64), userId, sessionId, 'b'.repeat(43), now],
        );
        await after.undoLastMigration();
        const [kept] = await after.query<Record<string, unknown>[]>(
          'SELECT * FROM "sessions"',
        );
        expect(kept).not.toHaveProperty('parentId');
        expect(kept).toMatchObject({ id: sessionId, scope: 'account' });
        await expect(
          after.query('SELECT * FROM "authorization_codes"'),
        ).rejects.toThrow();
        await after.runMigrations();
      } finally {
        await after.destroy();
        await drop();
      }
    });
  },
);
