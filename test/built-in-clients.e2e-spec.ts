import { Client } from '../src/clients/client.entity.js';
import {
  createSharedTestDatabase,
  testDatabaseKind,
  type TestDatabase,
} from './support/database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The clients that exist out of the box: Swagger UI's while Swagger UI is served, and the
 * development SPA's in development; each made, updated or removed at start-up, on a database that
 * several starts share.
 */
describe(`Built-in clients (${testDatabaseKind()})`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createSharedTestDatabase();
  });
  afterAll(() => database.drop());

  const start = (env: Record<string, string>) =>
    startTestApp({ DATABASE_URL: database.url, ...env });
  const builtIn = async (t: TestApp) =>
    Object.fromEntries(
      (
        await t.dataSource
          .getRepository(Client)
          .findBy([{ clientId: 'swagger-ui' }, { clientId: 'warden-dev-spa' }])
      ).map((client) => [client.clientId, client]),
    );

  it("registers Swagger UI's client while Swagger UI is served, at PUBLIC_URL, and the development SPA only in development", async () => {
    const t = await start({ PUBLIC_URL: 'https://api.example.com' });
    try {
      const clients = await builtIn(t);
      expect(Object.keys(clients)).toEqual(['swagger-ui']);
      expect(clients['swagger-ui']).toMatchObject({
        redirectUris: ['https://api.example.com/docs/oauth2-redirect.html'],
        tokenEndpointAuthMethod: 'none',
        secretHash: null,
        firstParty: true,
      });
    } finally {
      await t.close();
    }
  });

  it("follows PUBLIC_URL, adds the development SPA in development, and removes Swagger UI's client when Swagger UI is off", async () => {
    const development = await start({
      NODE_ENV: 'development',
      PUBLIC_URL: 'http://localhost:4000',
    });
    try {
      const clients = await builtIn(development);
      expect(clients['swagger-ui'].redirectUris).toEqual([
        'http://localhost:4000/docs/oauth2-redirect.html',
      ]);
      expect(clients['warden-dev-spa']).toMatchObject({
        redirectUris: ['http://localhost:5173/callback'],
        tokenEndpointAuthMethod: 'none',
        firstParty: true,
      });
    } finally {
      await development.close();
    }
    const withoutSwagger = await start({ SWAGGER_ENABLED: 'false' });
    try {
      expect(Object.keys(await builtIn(withoutSwagger))).toEqual([]);
    } finally {
      await withoutSwagger.close();
    }
  });

  it('keeps one row for each, however many instances start at once', async () => {
    const instances = await Promise.all(
      Array.from({ length: 3 }, () => start({ NODE_ENV: 'development' })),
    );
    try {
      const rows = await instances[0].dataSource
        .getRepository(Client)
        .countBy([{ clientId: 'swagger-ui' }, { clientId: 'warden-dev-spa' }]);
      expect(rows).toBe(2);
    } finally {
      for (const instance of instances) await instance.close();
    }
  });
});
