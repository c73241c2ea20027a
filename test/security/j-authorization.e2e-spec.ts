import request from 'supertest';
import {
  PASSWORD,
  bearer,
  makeAdmin,
  signUp,
  type TestUser,
} from '../support/api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SOME_ID = '3f1c8a52-7d2e-4b8e-9a51-0c7f2b9d6e14';

/** Every route that answers without a token: the public routes of docs/api.md. */
const PUBLIC_ROUTES = new Set([
  'GET /',
  'GET /health/live',
  'GET /health/ready',
  'GET /.well-known/jwks.json',
  'GET /.well-known/oauth-authorization-server',
  'GET /.well-known/openid-configuration',
  'POST /auth/signup',
  'POST /user/signup',
  'POST /auth/login',
  'POST /login',
  'POST /user/login',
  'POST /auth/token',
  'POST /token',
  'POST /auth/refresh',
  'POST /auth/logout',
  'POST /auth/revoke',
  'POST /auth/introspect',
  'POST /auth/email/verify',
  'POST /auth/email/verify/resend',
  'POST /auth/password/forgot',
  'POST /auth/password/reset',
  'POST /auth/email/change/confirm',
  'POST /auth/sign-in-methods/remove',
  'POST /auth/mfa/verify',
  'POST /auth/passkeys/login/options',
  'POST /auth/passkeys/login/verify',
  'GET /posts',
  'GET /posts/{id}',
]);

describe('J. Authorization (BOLA, BFLA, BOPLA)', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    alice = await signUp(t);
    bob = await signUp(t);
  });
  afterAll(() => t.close());

  const todoOf = async (user: TestUser) =>
    (
      await request(t.server)
        .post('/todos')
        .set(bearer(user.accessToken))
        .send({ title: 'private' })
        .expect(201)
    ).body;
  const postOf = async (user: TestUser) =>
    (
      await request(t.server)
        .post('/posts')
        .set(bearer(user.accessToken))
        .send({ title: 't', content: 'c' })
        .expect(201)
    ).body;

  it("AZ-01: B reading A's todo gets the same 404 as for a todo that does not exist", async () => {
    const todo = await todoOf(alice);
    const theirs = await request(t.server)
      .get(`/todos/${todo.id}`)
      .set(bearer(bob.accessToken))
      .expect(404);
    const missing = await request(t.server)
      .get(`/todos/${SOME_ID}`)
      .set(bearer(bob.accessToken))
      .expect(404);
    expect(theirs.body).toEqual(missing.body);
  });

  it("AZ-02: B updating or deleting A's todo gets 404 and the todo is unchanged", async () => {
    const todo = await todoOf(alice);
    await request(t.server)
      .patch(`/todos/${todo.id}`)
      .set(bearer(bob.accessToken))
      .send({ title: 'x', done: true })
      .expect(404);
    await request(t.server)
      .delete(`/todos/${todo.id}`)
      .set(bearer(bob.accessToken))
      .expect(404);
    await request(t.server)
      .get(`/todos/${todo.id}`)
      .set(bearer(alice.accessToken))
      .expect(200, todo);
  });

  it('AZ-03: ?ownerId and ?userId are refused, never used', async () => {
    for (const param of ['ownerId', 'userId']) {
      await request(t.server)
        .get(`/todos?${param}=${bob.id}`)
        .set(bearer(alice.accessToken))
        .expect(400);
    }
  });

  it('AZ-04: POST /todos with ownerId is a 400 and creates nothing for B', async () => {
    const before = (
      await request(t.server).get('/todos').set(bearer(bob.accessToken))
    ).headers['x-total-count'];
    await request(t.server)
      .post('/todos')
      .set(bearer(alice.accessToken))
      .send({ title: 'x', ownerId: bob.id })
      .expect(400);
    expect(
      (await request(t.server).get('/todos').set(bearer(bob.accessToken)))
        .headers['x-total-count'],
    ).toBe(before);
  });

  it('AZ-05: PATCH of ownerId is a 400 and the owner stays', async () => {
    const todo = await todoOf(alice);
    await request(t.server)
      .patch(`/todos/${todo.id}`)
      .set(bearer(alice.accessToken))
      .send({ ownerId: bob.id })
      .expect(400);
    await request(t.server)
      .get(`/todos/${todo.id}`)
      .set(bearer(alice.accessToken))
      .expect(200);
    await request(t.server)
      .get(`/todos/${todo.id}`)
      .set(bearer(bob.accessToken))
      .expect(404);
  });

  it("AZ-06: B editing or deleting A's post gets 403 and the post is unchanged; A may do both", async () => {
    const post = await postOf(alice);
    await request(t.server)
      .patch(`/posts/${post.id}`)
      .set(bearer(bob.accessToken))
      .send({ title: 'defaced' })
      .expect(403);
    await request(t.server)
      .delete(`/posts/${post.id}`)
      .set(bearer(bob.accessToken))
      .expect(403);
    await request(t.server).get(`/posts/${post.id}`).expect(200, post);
    await request(t.server)
      .patch(`/posts/${post.id}`)
      .set(bearer(alice.accessToken))
      .send({ title: 'mine' })
      .expect(200);
    await request(t.server)
      .delete(`/posts/${post.id}`)
      .set(bearer(alice.accessToken))
      .expect(204);
  });

  it('AZ-07: POST /posts with authorId is a 400; the author is always the caller', async () => {
    await request(t.server)
      .post('/posts')
      .set(bearer(alice.accessToken))
      .send({ title: 't', content: 'c', authorId: bob.id })
      .expect(400);
    expect((await postOf(alice)).author.id).toBe(alice.id);
  });

  it('AZ-09: every route outside the public allowlist answers 401 without a token, and carries the padlock in OpenAPI', async () => {
    const document = (await request(t.server).get('/docs-json').expect(200))
      .body as {
      paths: Record<
        string,
        Record<string, { security?: Record<string, string[]>[] }>
      >;
    };
    const routes = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        method,
        path,
        operation,
      })),
    );
    expect(routes.length).toBeGreaterThan(30);
    for (const { method, path, operation } of routes) {
      const route = `${method.toUpperCase()} ${path}`;
      const isPublic = PUBLIC_ROUTES.has(route);
      const response = await request(t.server)[method as 'get'](
        path.replace(/\{[^}]+\}/g, SOME_ID),
      );
      if (isPublic) {
        expect(response.status, route).not.toBe(401);
        expect(operation.security ?? [], route).toEqual([]);
      } else {
        expect(response.status, route).toBe(401);
        expect(response.headers['www-authenticate'], route).toBe(
          'Bearer realm="warden"',
        );
        // Both Authorize schemes unlock it in Swagger UI: a pasted token or the OAuth2 flow.
        expect(operation.security, route).toEqual(
          expect.arrayContaining([
            { bearer: [] },
            expect.objectContaining({ oauth2: expect.any(Array) }),
          ]),
        );
      }
    }
  });

  it('AZ-09: admin routes refuse a user without the admin role with 403 insufficient_scope', async () => {
    for (const [method, path] of [
      ['get', '/users'],
      ['get', `/users/${alice.id}`],
      ['patch', `/users/${alice.id}`],
    ] as const) {
      const response = await request(t.server)
        [method](path)
        .set(bearer(bob.accessToken))
        .send({});
      expect(response.status).toBe(403);
      expect(response.headers['www-authenticate']).toContain(
        'error="insufficient_scope", scope="users:admin"',
      );
    }
    const admin = await makeAdmin(t, await signUp(t));
    await request(t.server)
      .get('/users')
      .set(bearer(admin.accessToken))
      .expect(200);
  });

  it('AZ-10: PATCH /users/me refuses role, isAdmin, passwordHash, id, createdAt; an email change needs the password', async () => {
    for (const field of [
      { role: 'admin' },
      { isAdmin: true },
      { passwordHash: 'x' },
      { id: SOME_ID },
      { createdAt: '2000-01-01' },
    ]) {
      await request(t.server)
        .patch('/users/me')
        .set(bearer(alice.accessToken))
        .send(field)
        .expect(400);
    }
    await request(t.server)
      .patch('/users/me')
      .set(bearer(alice.accessToken))
      .send({ email: 'new@example.com' })
      .expect(400);
    await request(t.server)
      .patch('/users/me')
      .set(bearer(alice.accessToken))
      .send({ email: 'new@example.com', currentPassword: 'not it at all' })
      .expect(403);
  });

  it("AZ-12: after A is deleted, B sees 404 for A's todo and A's old token is refused", async () => {
    const carol = await signUp(t);
    const todo = await todoOf(carol);
    await request(t.server)
      .delete('/users/me')
      .set(bearer(carol.accessToken))
      .send({ password: PASSWORD })
      .expect(204);
    await request(t.server)
      .get(`/todos/${todo.id}`)
      .set(bearer(bob.accessToken))
      .expect(404);
    await request(t.server)
      .get(`/todos/${todo.id}`)
      .set(bearer(carol.accessToken))
      .expect(401);
  });
});
