import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  createMigrationTestDatabase,
  insertMigrationUser,
  specDatabaseKinds,
} from '../../../test/support/database.js';
import { MIGRATIONS } from '../database-options.js';
import { EmailSkeletons1732000010000 } from './1732000010000-email-skeletons.js';

/**
 * The migration that gives accounts their confusable skeleton, on a database that already holds
 * look-alikes (made before it existed): it finishes, every account keeps working, the older of
 * each pair holds the group's claim, and the log names the pairs instead of the migration failing.
 */
describe.each(specDatabaseKinds())('EmailSkeletons migration on %s', (kind) => {
  it('reports existing collisions instead of failing', async () => {
    const { open, drop } = await createMigrationTestDatabase(kind);
    const index = MIGRATIONS.indexOf(EmailSkeletons1732000010000);
    const before = await open(MIGRATIONS.slice(0, index));
    const ids = {
      latin: randomUUID(),
      cyrillic: randomUUID(),
      ascii: randomUUID(),
      asciiTwin: randomUUID(),
    };
    try {
      await before.runMigrations();
      const insert = (
        id: string,
        email: string,
        username: string,
        at: string,
      ) => insertMigrationUser(before, { id, username, email, at });
      await insert(
        ids.latin,
        'peace@example.com',
        'latin',
        '2026-01-01 00:00:00',
      );
      await insert(
        ids.cyrillic,
        '\u0440\u0435\u0430\u0441\u0435@example.com',
        'cyrillic',
        '2026-01-02 00:00:00',
      );
      await insert(
        ids.ascii,
        'alex@example.com',
        'ascii',
        '2026-01-03 00:00:00',
      );
      await insert(
        ids.asciiTwin,
        'a1ex@example.com',
        'twin',
        '2026-01-04 00:00:00',
      );
    } finally {
      await before.destroy();
    }

    const warn = vi
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation(() => {});
    const after = await open(MIGRATIONS);
    try {
      await after.runMigrations();
      const rows = await after.query<
        {
          id: string;
          emailSkeleton: string;
          emailSkeletonClaim: string | null;
        }[]
      >('SELECT "id", "emailSkeleton", "emailSkeletonClaim" FROM "users"');
      const byId = new Map(rows.map((row) => [row.id, row]));
      expect(byId.get(ids.latin)?.emailSkeletonClaim).toBe(
        byId.get(ids.latin)?.emailSkeleton,
      );
      expect(byId.get(ids.cyrillic)?.emailSkeleton).toBe(
        byId.get(ids.latin)?.emailSkeleton,
      );
      expect(byId.get(ids.cyrillic)?.emailSkeletonClaim).toBeNull();
      // Two ASCII look-alikes are no collision: one holds the group's claim for both.
      expect(byId.get(ids.ascii)?.emailSkeletonClaim).not.toBeNull();
      expect(byId.get(ids.asciiTwin)?.emailSkeletonClaim).toBeNull();
      const messages = warn.mock.calls.map(([message]) => String(message));
      const report = messages.find((message) => message.includes('looks like'));
      expect(report).toContain(`${ids.cyrillic} (like ${ids.latin})`);
      expect(report).not.toContain(ids.asciiTwin);
      expect(report).toMatch(/^1 existing account/);
    } finally {
      warn.mockRestore();
      await after.destroy();
      await drop();
    }
  });
});
