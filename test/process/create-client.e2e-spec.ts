import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Client } from '../../src/clients/client.entity.js';
import { databaseOptions } from '../../src/database/database-options.js';
import { runCli } from '../support/cli.js';
import {
  createSharedTestDatabase,
  type TestDatabase,
} from '../support/database.js';
import { scratchDirectory } from '../support/server-process.js';

describe('npm run client:create (registering an application)', () => {
  let database: TestDatabase;
  const cwd = scratchDirectory();
  beforeAll(async () => {
    database = await createSharedTestDatabase(cwd);
  });
  afterAll(() => database.drop());

  const createClient = (args: string[]) =>
    runCli('create-client', args, { env: { DATABASE_URL: database.url }, cwd });

  /** The stored row, read as the server would read it. */
  async function storedClient(clientId: string): Promise<Client | null> {
    const dataSource = await new DataSource({
      ...databaseOptions(database.url),
      migrationsRun: false,
      logging: false,
    }).initialize();
    try {
      return await dataSource.getRepository(Client).findOneBy({ clientId });
    } finally {
      await dataSource.destroy();
    }
  }

  it('registers a confidential client: one JSON object on stdout, the secret shown once and kept as its SHA-256', async () => {
    const created = await createClient([
      '--name',
      'Notes server',
      '--redirect-uri',
      'https://notes.example.com/callback',
      '--redirect-uri',
      'http://127.0.0.1/native',
      '--post-logout-redirect-uri',
      'https://notes.example.com/',
      '--confidential',
      '--first-party',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const client = JSON.parse(created.stdout) as Record<string, unknown>;
    expect(client).toMatchObject({
      client_id: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_name: 'Notes server',
      redirect_uris: [
        'https://notes.example.com/callback',
        'http://127.0.0.1/native',
      ],
      post_logout_redirect_uris: ['https://notes.example.com/'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      first_party: true,
    });
    const stored = await storedClient(client.client_id as string);
    expect(stored?.secretHash).toBe(
      createHash('sha256')
        .update(client.client_secret as string)
        .digest('hex'),
    );
  });

  it('registers a public client without a secret', async () => {
    const created = await createClient([
      '--name',
      'Notes SPA',
      '--redirect-uri',
      'http://localhost:5173/callback',
    ]);
    expect(created.code).toBe(0);
    const client = JSON.parse(created.stdout) as Record<string, unknown>;
    expect(client.client_secret).toBeUndefined();
    expect(client).toMatchObject({
      token_endpoint_auth_method: 'none',
      first_party: false,
      id_token_signed_response_alg: 'RS256',
    });
  });

  it('registers a client whose ID tokens are signed ES256', async () => {
    const created = await createClient([
      '--name',
      'Elliptic',
      '--redirect-uri',
      'https://notes.example.com/callback',
      '--id-token-alg',
      'ES256',
    ]);
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout)).toMatchObject({
      id_token_signed_response_alg: 'ES256',
    });
  });

  it('registers a machine client: client_credentials only, no redirect URI, a secret, users:read', async () => {
    const created = await createClient([
      '--name',
      'Reporting',
      '--machine',
      '--allow-introspection',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      redirect_uris: [],
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'users:read',
      allow_introspection: true,
    });
  });

  it.each([
    [
      'a wildcard',
      ['--name', 'x', '--redirect-uri', 'https://*.example.com/cb'],
      /redirect_uris\[0\] \(https:\/\/\*\.example\.com\/cb\) contains a wildcard/,
    ],
    [
      'http on a public host',
      ['--name', 'x', '--redirect-uri', 'http://notes.example.com/cb'],
      /use https/,
    ],
    [
      'an unknown scope',
      [
        '--name',
        'x',
        '--redirect-uri',
        'https://a.example.com/cb',
        '--scope',
        'openid root',
      ],
      /no scope: root/,
    ],
    [
      'an ID-token algorithm that is not RS256 or ES256',
      [
        '--name',
        'x',
        '--redirect-uri',
        'https://a.example.com/cb',
        '--id-token-alg',
        'none',
      ],
      /id_token_signed_response_alg must be one of the following values: RS256, ES256/,
    ],
    [
      'an unknown option',
      [
        '--name',
        'x',
        '--redirect-uri',
        'https://a.example.com/cb',
        '--secret',
        'mine',
      ],
      /Unknown option '--secret'/,
    ],
  ])(
    'refuses %s with one line naming it, and stores nothing',
    async (_, args, message) => {
      const refused = await createClient(args);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr.trim()).toMatch(message);
      expect(refused.stderr).not.toMatch(/^\s+at /m);
    },
  );

  it('prints its usage, and exits 2, without a name or a redirect URI', async () => {
    const refused = await createClient(['--name', 'x']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^Usage: npm run client:create/);
  });
});
