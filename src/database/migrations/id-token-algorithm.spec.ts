import { randomUUID } from 'node:crypto';
import {
  createMigrationTestDatabase,
  specDatabaseKinds,
} from '../../../test/support/database.js';
import { withPlaceholders } from '../dialect.js';
import { MIGRATIONS } from '../database-options.js';
import { IdTokenAlgorithm1732000014000 } from './1732000014000-id-token-algorithm.js';

/** Clients registered before ES256 keep RS256, and `down` takes the column away again. */
describe.each(specDatabaseKinds())(
  'IdTokenAlgorithm migration on %s',
  (kind) => {
    it('gives existing clients RS256, and is undone', async () => {
      const { open, drop } = await createMigrationTestDatabase(kind);
      const index = MIGRATIONS.indexOf(IdTokenAlgorithm1732000014000);
      const before = await open(MIGRATIONS.slice(0, index));
      try {
        await before.runMigrations();
        await before.query(
          withPlaceholders(
            before,
            `INSERT INTO "clients" ("id", "clientId", "name", "tokenEndpointAuthMethod", "redirectUris", "postLogoutRedirectUris", "grantTypes", "scope") VALUES (?, 'older', 'Older', 'none', '[]', '[]', 'authorization_code', 'openid')`,
          ),
          [randomUUID()],
        );
      } finally {
        await before.destroy();
      }
      const after = await open(MIGRATIONS.slice(0, index + 1));
      try {
        await after.runMigrations();
        expect(
          await after.query('SELECT "idTokenSignedResponseAlg" FROM "clients"'),
        ).toEqual([{ idTokenSignedResponseAlg: 'RS256' }]);
        await after.undoLastMigration();
        expect(await after.query('SELECT * FROM "clients"')).toEqual([
          expect.not.objectContaining({ idTokenSignedResponseAlg: 'RS256' }),
        ]);
      } finally {
        await after.destroy();
        await drop();
      }
    });
  },
);
