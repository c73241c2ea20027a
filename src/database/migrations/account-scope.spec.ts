import { randomUUID } from 'node:crypto';
import {
  createMigrationTestDatabase,
  insertMigrationUser,
  specDatabaseKinds,
} from '../../../test/support/database.js';
import { withPlaceholders } from '../dialect.js';
import { MIGRATIONS } from '../database-options.js';
import { AccountScope1732000011000 } from './1732000011000-account-scope.js';

/**
 * The migration that renames the stored scope `profile` to `account`: sessions and pending
 * second steps made before it keep what they were granted, under the new name; a scope that only
 * contains the word (none does today) is left alone; and `down` gives the old name back.
 */
describe.each(specDatabaseKinds())('AccountScope migration on %s', (kind) => {
  it('renames profile to account in stored sessions and second steps, and back', async () => {
    const { open, drop } = await createMigrationTestDatabase(kind);
    const index = MIGRATIONS.indexOf(AccountScope1732000011000);
    const userId = randomUUID();
    const stored = {
      'profile todos:read todos:write': 'account todos:read todos:write',
      'todos:read profile': 'todos:read account',
      profile: 'account',
      'todos:read': 'todos:read',
      'profiles todos:read': 'profiles todos:read',
    };
    const sessionIds = new Map<string, string>();
    const before = await open(MIGRATIONS.slice(0, index));
    try {
      await before.runMigrations();
      const insert = (sql: string, parameters: unknown[]) =>
        before.query(withPlaceholders(before, sql), parameters);
      const now = new Date().toISOString();
      await insertMigrationUser(before, {
        id: userId,
        username: 'scoped',
        email: 'scoped@example.com',
        at: now,
      });
      for (const scope of Object.keys(stored)) {
        const id = randomUUID();
        sessionIds.set(scope, id);
        await insert(
          `INSERT INTO "sessions" ("id", "userId", "scope", "authTime", "idleExpiresAt", "absoluteExpiresAt") VALUES (?, ?, ?, ?, ?, ?)`,
          [id, userId, scope, now, now, now],
        );
      }
      await insert(
        `INSERT INTO "mfa_tokens" ("id", "userId", "tokenHash", "scope", "expiresAt") VALUES (?, ?, ?, 'profile todos:read', ?)`,
        [randomUUID(), userId, 'a'.repeat(64), now],
      );
    } finally {
      await before.destroy();
    }

    // Up to this migration, so that undoing the last one undoes this one.
    const after = await open(MIGRATIONS.slice(0, index + 1));
    const scopes = async () => {
      const sessions = await after.query<{ id: string; scope: string }[]>(
        'SELECT "id", "scope" FROM "sessions"',
      );
      const byId = new Map(sessions.map((row) => [row.id, row.scope]));
      const [pending] = await after.query<{ scope: string }[]>(
        'SELECT "scope" FROM "mfa_tokens"',
      );
      return {
        sessions: Object.fromEntries(
          [...sessionIds].map(([scope, id]) => [scope, byId.get(id)]),
        ),
        pending: pending.scope,
      };
    };
    try {
      await after.runMigrations();
      expect(await scopes()).toEqual({
        sessions: stored,
        pending: 'account todos:read',
      });
      await after.undoLastMigration();
      expect(await scopes()).toEqual({
        sessions: Object.fromEntries(
          Object.keys(stored).map((scope) => [scope, scope]),
        ),
        pending: 'profile todos:read',
      });
    } finally {
      await after.destroy();
      await drop();
    }
  });
});
