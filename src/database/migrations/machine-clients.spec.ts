import { randomUUID } from 'node:crypto';
import {
  createMigrationTestDatabase,
  specDatabaseKinds,
} from '../../../test/support/database.js';
import { withPlaceholders } from '../dialect.js';
import { MIGRATIONS } from '../database-options.js';
import { MachineClients1732000015000 } from './1732000015000-machine-clients.js';

/**
 * Clients registered before machine clients may not introspect and keep their grant types; the
 * client-token table comes and goes with the migration.
 */
describe.each(specDatabaseKinds())('MachineClients migration on %s', (kind) => {
  it('leaves existing clients without introspection, and is undone', async () => {
    const { open, drop } = await createMigrationTestDatabase(kind);
    const index = MIGRATIONS.indexOf(MachineClients1732000015000);
    const before = await open(MIGRATIONS.slice(0, index));
    try {
      await before.runMigrations();
      await before.query(
        withPlaceholders(
          before,
          `INSERT INTO "clients" ("id", "clientId", "name", "tokenEndpointAuthMethod", "redirectUris", "postLogoutRedirectUris", "grantTypes", "scope") VALUES (?, 'older', 'Older', 'none', '[]', '[]', 'authorization_code,refresh_token', 'openid')`,
        ),
        [randomUUID()],
      );
    } finally {
      await before.destroy();
    }
    const after = await open(MIGRATIONS.slice(0, index + 1));
    try {
      await after.runMigrations();
      const [row] = await after.query<
        { allowIntrospection: unknown; grantTypes: string }[]
      >('SELECT "allowIntrospection", "grantTypes" FROM "clients"');
      // SQLite keeps booleans as 0/1.
      expect([false, 0]).toContain(row.allowIntrospection);
      expect(row.grantTypes).toBe('authorization_code,refresh_token');
      await after.query(
        withPlaceholders(
          after,
          `INSERT INTO "client_access_tokens" ("id", "clientId", "scope", "expiresAt") VALUES (?, 'older', 'users:read', ?)`,
        ),
        [randomUUID(), new Date().toISOString()],
      );
      await after.undoLastMigration();
      expect(await after.query('SELECT * FROM "clients"')).toEqual([
        expect.not.objectContaining({ allowIntrospection: expect.anything() }),
      ]);
      await expect(
        after.query('SELECT * FROM "client_access_tokens"'),
      ).rejects.toThrow();
    } finally {
      await after.destroy();
      await drop();
    }
  });
});
