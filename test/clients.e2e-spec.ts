import request from 'supertest';
import {
  bearer,
  expectError,
  makeAdmin,
  signUpVerified,
  type TestUser,
} from './support/api.js';
import { testDatabaseKind } from './support/database.js';
import { appForSuite } from './support/suite.js';

const SPA = {
  client_name: 'Notes SPA',
  redirect_uris: ['https://notes.example.com/callback'],
  token_endpoint_auth_method: 'none',
};

describe(`Registered clients, for admins (${testDatabaseKind()})`, () => {
  const t = appForSuite();
  let admin: TestUser;
  let user: TestUser;
  beforeAll(async () => {
    admin = await makeAdmin(t, await signUpVerified(t));
    user = await signUpVerified(t);
  });

  const create = (body: unknown, token = admin.accessToken) =>
    request(t.server)
      .post('/clients')
      .set(bearer(token))
      .send(body as object);
  const get = (path: string, token = admin.accessToken) =>
    request(t.server).get(path).set(bearer(token));

  it('registers a public client, lists it and shows it, and removes it', async () => {
    const created = await create(SPA).expect(201);
    expect(created.headers['cache-control']).toContain('no-store');
    expect(created.body).toMatchObject({
      client_id: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
      client_name: 'Notes SPA',
      redirect_uris: ['https://notes.example.com/callback'],
      post_logout_redirect_uris: [],
      token_endpoint_auth_method: 'none',
      first_party: false,
    });
    expect(created.body).not.toHaveProperty('client_secret');
    const id = created.body.client_id as string;

    const listed = await get('/clients?limit=100').expect(200);
    expect(Number(listed.headers['x-total-count'])).toBeGreaterThanOrEqual(1);
    expect(listed.body).toContainEqual(created.body);
    expect((await get(`/clients/${id}`).expect(200)).body).toEqual(
      created.body,
    );

    await request(t.server)
      .delete(`/clients/${id}`)
      .set(bearer(admin.accessToken))
      .expect(204);
    expectError(await get(`/clients/${id}`), 404, 'Not Found');
    expectError(
      await request(t.server)
        .delete(`/clients/${id}`)
        .set(bearer(admin.accessToken)),
      404,
      'Not Found',
    );
  });

  it('shows a confidential client its secret once, at creation, and never again', async () => {
    const created = await create({
      client_name: 'Notes server',
      redirect_uris: ['https://notes.example.com/cb'],
    }).expect(201);
    expect(created.body.token_endpoint_auth_method).toBe('client_secret_basic');
    expect(created.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const shown = await get(`/clients/${created.body.client_id}`).expect(200);
    expect(shown.body).not.toHaveProperty('client_secret');
    const listed = await get('/clients?limit=100').expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(
      created.body.client_secret,
    );
  });

  it('gives each of a parallel burst of registrations its own client_id', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => create(SPA)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(
      Array.from({ length: 12 }, () => 201),
    );
    expect(new Set(answers.map((answer) => answer.body.client_id)).size).toBe(
      12,
    );
  });

  it('refuses anyone without users:admin: 401 without a token, 403 for a user', async () => {
    await request(t.server).get('/clients').expect(401);
    await request(t.server).post('/clients').send(SPA).expect(401);
    expectError(
      await get('/clients', user.accessToken),
      403,
      'insufficient_scope',
    );
    expectError(await create(SPA, user.accessToken), 403, 'insufficient_scope');
    expectError(
      await request(t.server)
        .delete('/clients/anything')
        .set(bearer(user.accessToken)),
      403,
      'insufficient_scope',
    );
  });

  it.each([
    [
      'a wildcard redirect URI',
      { ...SPA, redirect_uris: ['https://*.example.com/cb'] },
      '/redirect_uris',
    ],
    [
      'http on a public host',
      { ...SPA, redirect_uris: ['http://notes.example.com/cb'] },
      '/redirect_uris',
    ],
    ['no redirect URI', { ...SPA, redirect_uris: [] }, '/redirect_uris'],
    [
      'a redirect URI that is an object',
      { ...SPA, redirect_uris: [{ href: 'https://a.example.com' }] },
      '/redirect_uris',
    ],
    [
      'a string for the list',
      { ...SPA, redirect_uris: 'https://notes.example.com/cb' },
      '/redirect_uris',
    ],
    [
      'an unknown method',
      { ...SPA, token_endpoint_auth_method: 'private_key_jwt' },
      '/token_endpoint_auth_method',
    ],
    ['an unknown scope', { ...SPA, scope: 'openid root' }, '/scope'],
    ['a number for first_party', { ...SPA, first_party: 1 }, '/first_party'],
    [
      'a field nobody asked for',
      { ...SPA, client_secret: 'mine' },
      '/client_secret',
    ],
  ])(
    'answers %s with 400 naming the field, and registers nothing',
    async (_, body, pointer) => {
      const before = Number(
        (await get('/clients?limit=1').expect(200)).headers['x-total-count'],
      );
      const response = await create(body);
      expectError(response, 400, 'validation_failed');
      expect(
        (response.body.errors as { pointer: string }[]).map(
          (error) => error.pointer,
        ),
      ).toContain(pointer);
      const after = Number(
        (await get('/clients?limit=1').expect(200)).headers['x-total-count'],
      );
      expect(after).toBe(before);
    },
  );

  it('answers a NUL in the name with 400 naming the field, and registers nothing', async () => {
    const response = await create({ ...SPA, client_name: 'a\u0000b' });
    expect(response.status).toBe(400);
    expect(response.body.detail).toMatch(/client_name/);
  });

  it('answers a client_id nobody registered, however it is written, with 404', async () => {
    for (const id of ['no-such-client', '%00', 'x'.repeat(100), "' OR 1=1 --"])
      expectError(
        await get(`/clients/${encodeURIComponent(id)}`),
        404,
        'Not Found',
      );
  });
});
