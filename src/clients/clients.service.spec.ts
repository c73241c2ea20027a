import { createHash, generateKeyPairSync } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import {
  openSpecDatabase,
  specDatabaseKinds,
} from '../../test/support/database.js';
import { configWith } from '../../test/support/config.js';
import { validationPipe } from '../common/validation.js';
import { OidcKeys } from '../authorization/oidc-keys.js';
import { Client } from './client.entity.js';
import { ClientsService } from './clients.service.js';
import { CreateClientDto } from './dto/create-client.dto.js';

const RSA_ONLY_KEY_FILE = join(tmpdir(), `warden-rsa-only-${process.pid}.pem`);

/** A PEM file with one RSA private key and nothing else. */
function rsaOnlyKeyFile(): string {
  const file = RSA_ONLY_KEY_FILE;
  writeFileSync(
    file,
    generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString(),
  );
  return file;
}

const UUID_SHAPE =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the CLI and the admin route hand the service: the DTO after validation. */
const fields = async (plain: Record<string, unknown>) =>
  (await validationPipe.transform(plain, {
    type: 'body',
    metatype: CreateClientDto,
  })) as CreateClientDto;

/** The client registry on a real database: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
describe.each(specDatabaseKinds())('ClientsService on %s', (kind) => {
  let close: () => Promise<void>;
  let dataSource: DataSource;
  let clients: ClientsService;

  beforeAll(async () => {
    ({ dataSource, close } = await openSpecDatabase(kind));
    // What removal ends (codes, consents, sessions) is tested over HTTP, in test/clients.e2e-spec.ts.
    const unused = {} as never;
    clients = new ClientsService(
      dataSource.getRepository(Client),
      unused,
      unused,
      unused,
      // A server whose OIDC_SIGNING_KEY_FILE holds the RSA key only.
      new OidcKeys(configWith({ OIDC_SIGNING_KEY_FILE: rsaOnlyKeyFile() })),
      unused,
    );
  });

  it('stops a start whose ID-token keys cannot sign for a registered client, naming the variable', async () => {
    await expect(clients.onApplicationBootstrap()).resolves.toBeUndefined();
    const repository = dataSource.getRepository(Client);
    await repository.insert({
      clientId: `es256-${Date.now()}`,
      name: 'Registered while the P-256 key was there',
      tokenEndpointAuthMethod: 'none',
      secretHash: null,
      redirectUris: ['https://notes.example.com/callback'],
      postLogoutRedirectUris: [],
      grantTypes: ['authorization_code', 'refresh_token'],
      scope: 'openid',
      firstParty: false,
      idTokenSignedResponseAlg: 'ES256',
    });
    try {
      await expect(clients.onApplicationBootstrap()).rejects.toThrow(
        /OIDC_SIGNING_KEY_FILE has no key for ES256, which 1 registered client\(s\) ask/,
      );
    } finally {
      await repository.delete({ idTokenSignedResponseAlg: 'ES256' });
    }
  });

  it('refuses an ES256 client when the ID-token keys have no P-256 key, naming the variable', async () => {
    const dto = await fields({
      client_name: 'Elliptic',
      redirect_uris: ['https://notes.example.com/callback'],
      id_token_signed_response_alg: 'ES256',
    });
    await expect(clients.create(dto)).rejects.toThrow(/OIDC_SIGNING_KEY_FILE/);
    await expect(
      fields({
        client_name: 'Nope',
        redirect_uris: ['https://notes.example.com/callback'],
        id_token_signed_response_alg: 'HS256',
      }),
    ).rejects.toThrow(/id_token_signed_response_alg/);
  });
  afterAll(async () => {
    rmSync(RSA_ONLY_KEY_FILE, { force: true });
    await close?.();
  });

  it('registers a public client: a generated client_id that is no UUID, no secret, the default scopes', async () => {
    const { client, secret } = await clients.create(
      await fields({
        client_name: '  Notes SPA ',
        redirect_uris: ['https://notes.example.com/callback'],
        token_endpoint_auth_method: 'none',
      }),
    );
    expect(secret).toBeNull();
    expect(client.clientId).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(client.clientId).not.toMatch(UUID_SHAPE);
    const stored = await clients.findByClientId(client.clientId);
    expect(stored).toMatchObject({
      name: 'Notes SPA',
      tokenEndpointAuthMethod: 'none',
      secretHash: null,
      redirectUris: ['https://notes.example.com/callback'],
      postLogoutRedirectUris: [],
      grantTypes: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email account todos:read todos:write posts:write',
      firstParty: false,
    });
    expect(clients.secretMatches(stored!, '')).toBe(false);
  });

  it("keeps only the SHA-256 of a confidential client's secret, and knows the secret by it", async () => {
    const { client, secret } = await clients.create(
      await fields({
        client_name: 'Notes server',
        redirect_uris: [
          'https://notes.example.com/a',
          'https://notes.example.com/b?x=1,2',
        ],
        post_logout_redirect_uris: ['https://notes.example.com/'],
        first_party: true,
        scope: 'openid openid account',
      }),
    );
    // RFC 7591 §2: a client that names no method is client_secret_basic, so confidential.
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = (await clients.findByClientId(client.clientId))!;
    expect(stored.tokenEndpointAuthMethod).toBe('client_secret_basic');
    expect(stored.secretHash).toBe(
      createHash('sha256').update(secret!).digest('hex'),
    );
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored.redirectUris).toEqual([
      'https://notes.example.com/a',
      'https://notes.example.com/b?x=1,2',
    ]);
    expect(stored.scope).toBe('openid account');
    expect(stored.firstParty).toBe(true);
    expect(clients.secretMatches(stored, secret!)).toBe(true);
    expect(clients.secretMatches(stored, `${secret}x`)).toBe(false);
    expect(clients.secretMatches(stored, '')).toBe(false);
  });

  it('gives every client its own client_id, and refuses to store one twice', async () => {
    const created = await Promise.all(
      Array.from(
        { length: 10 },
        async () =>
          (
            await clients.create(
              await fields({
                client_name: 'Many',
                redirect_uris: ['https://many.example.com/cb'],
              }),
            )
          ).client.clientId,
      ),
    );
    expect(new Set(created).size).toBe(10);
    await expect(
      clients.create(
        await fields({
          client_name: 'Twin',
          redirect_uris: ['https://twin.example.com/cb'],
        }),
        created[0],
      ),
    ).rejects.toThrow();
  });

  it('answers null for a client_id nobody registered', async () => {
    expect(await clients.findByClientId('no-such-client')).toBeNull();
  });
});

describe('CreateClientDto', () => {
  it.each([
    [{ redirect_uris: ['https://a.example.com/cb'] }, /client_name/],
    [
      { client_name: 'x' },
      /redirect_uris must hold at least 1 URI for the authorization_code grant/,
    ],
    [{ client_name: 'x', redirect_uris: 'https://a' }, /must be a list/],
    [{ client_name: 'x', redirect_uris: [] }, /at least 1/],
    [
      { client_name: 'x', redirect_uris: ['https://*.example.com/cb'] },
      /redirect_uris\[0\] \(https:\/\/\*\.example\.com\/cb\) contains a wildcard/,
    ],
    [
      {
        client_name: 'x',
        redirect_uris: ['https://a.example.com/cb', 'http://a.example.com/cb'],
      },
      /redirect_uris\[1\]/,
    ],
    [
      {
        client_name: 'x',
        redirect_uris: Array.from(
          { length: 21 },
          (_, i) => `https://a.example.com/${i}`,
        ),
      },
      /at most 20/,
    ],
    [
      {
        client_name: 'x',
        redirect_uris: ['https://a.example.com/cb'],
        post_logout_redirect_uris: ['javascript:alert(1)'],
      },
      /post_logout_redirect_uris\[0\]/,
    ],
    [
      {
        client_name: 'x',
        redirect_uris: ['https://a.example.com/cb'],
        scope: 'openid admin',
      },
      /no scope: admin/,
    ],
    [
      {
        client_name: 'x',
        redirect_uris: ['https://a.example.com/cb'],
        scope: ' ',
      },
      /at least one scope/,
    ],
    [
      {
        client_name: 'x',
        redirect_uris: ['https://a.example.com/cb'],
        scope: 'openid '.repeat(200),
      },
      /at most 1000 characters/,
    ],
    [
      {
        client_name: 'x',
        redirect_uris: ['https://a.example.com/cb'],
        token_endpoint_auth_method: 'private_key_jwt',
      },
      /private_key_jwt needs the client's public keys in jwks/,
    ],
    [
      {
        client_name: 'x',
        redirect_uris: ['https://a.example.com/cb'],
        token_endpoint_auth_method: 'client_secret_jwt',
      },
      /token_endpoint_auth_method/,
    ],
    [
      { client_name: 'a\u202eb', redirect_uris: ['https://a.example.com/cb'] },
      /one line/,
    ],
    [
      {
        client_name: 'x'.repeat(101),
        redirect_uris: ['https://a.example.com/cb'],
      },
      /client_name/,
    ],
    [
      { client_name: 'x', redirect_uris: [42] },
      /redirect_uris\[0\] must be a string/,
    ],
  ])('refuses %j', async (plain, message) => {
    await expect(fields(plain)).rejects.toMatchObject({
      message: expect.stringMatching(message),
    });
  });
});
