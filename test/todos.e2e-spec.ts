import request from 'supertest';
import {
  PASSWORD,
  bearer,
  signUp,
  tokenRequest,
  type TestUser,
} from './support/api.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MISSING_ID = '3f1c8a52-7d2e-4b8e-9a51-0c7f2b9d6e14';

describe('Todos: private to their owner', () => {
  let t: TestApp;
  let alice: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    alice = await signUp(t);
  });
  afterAll(() => t.close());

  const createTodo = async (user: TestUser, body: Record<string, unknown>) =>
    (
      await request(t.server)
        .post('/todos')
        .set(bearer(user.accessToken))
        .send(body)
        .expect(201)
    ).body;

  it('creates, reads, updates and deletes a todo', async () => {
    const todo = await createTodo(alice, {
      title: 'Buy milk',
      description: 'Two litres',
    });
    expect(todo).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      title: 'Buy milk',
      description: 'Two litres',
      done: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    await request(t.server)
      .get(`/todos/${todo.id}`)
      .set(bearer(alice.accessToken))
      .expect(200, todo);
    const updated = await request(t.server)
      .patch(`/todos/${todo.id}`)
      .set(bearer(alice.accessToken))
      .send({ done: true, title: 'Buy oat milk' })
      .expect(200);
    expect(updated.body).toMatchObject({
      id: todo.id,
      done: true,
      title: 'Buy oat milk',
      description: 'Two litres',
    });
    await request(t.server)
      .delete(`/todos/${todo.id}`)
      .set(bearer(alice.accessToken))
      .expect(204);
    await request(t.server)
      .get(`/todos/${todo.id}`)
      .set(bearer(alice.accessToken))
      .expect(404);
    await request(t.server)
      .delete(`/todos/${todo.id}`)
      .set(bearer(alice.accessToken))
      .expect(404);
  });

  it('lists newest first as a JSON array with X-Total-Count, limit, offset and done', async () => {
    const carol = await signUp(t);
    const titles = Array.from(
      { length: 25 },
      (_, i) => `todo ${String(i).padStart(2, '0')}`,
    );
    for (const [i, title] of titles.entries())
      await createTodo(carol, { title, done: i % 5 === 0 });

    const first = await request(t.server)
      .get('/todos')
      .set(bearer(carol.accessToken))
      .expect(200);
    expect(Array.isArray(first.body)).toBe(true);
    expect(first.headers['x-total-count']).toBe('25');
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body).toHaveLength(20);
    expect(first.body[0].title).toBe('todo 24');

    const page = await request(t.server)
      .get('/todos?limit=10&offset=20')
      .set(bearer(carol.accessToken))
      .expect(200);
    expect(page.body.map((todo: { title: string }) => todo.title)).toEqual([
      'todo 04',
      'todo 03',
      'todo 02',
      'todo 01',
      'todo 00',
    ]);
    expect(page.headers['x-total-count']).toBe('25');

    const done = await request(t.server)
      .get('/todos?done=true&limit=100')
      .set(bearer(carol.accessToken))
      .expect(200);
    expect(done.headers['x-total-count']).toBe('5');
    expect(done.body.every((todo: { done: boolean }) => todo.done)).toBe(true);
    const open = await request(t.server)
      .get('/todos?done=false')
      .set(bearer(carol.accessToken))
      .expect(200);
    expect(open.headers['x-total-count']).toBe('20');

    const secure = await request(t.server)
      .get('/secure-todos')
      .set(bearer(carol.accessToken))
      .expect(200);
    expect(secure.body).toEqual(first.body);
  });

  it.each([
    'limit=0',
    'limit=101',
    'limit=abc',
    'limit=1.5',
    'offset=-1',
    'done=yes',
    'done=true&done=false',
    'sort=passwordHash',
  ])('answers ?%s with 400', async (query) => {
    await request(t.server)
      .get(`/todos?${query}`)
      .set(bearer(alice.accessToken))
      .expect(400);
  });

  it.each([
    [{}, 'title'],
    [{ title: '' }, 'title'],
    [{ title: 'x'.repeat(201) }, 'title'],
    [{ title: 123 }, 'title must be a string'],
    [{ title: ['a'] }, 'title must be a string'],
    [{ title: { $ne: null } }, 'title must be a string'],
    [{ title: 'x', done: 'true' }, 'done must be a boolean'],
    [{ title: 'x', description: 'x'.repeat(20001) }, 'description'],
    [{ title: 'x', foo: 1 }, 'property foo should not exist'],
  ])('refuses the body %j with a 400 naming %s', async (body, message) => {
    const response = await request(t.server)
      .post('/todos')
      .set(bearer(alice.accessToken))
      .send(body)
      .expect(400);
    expect(JSON.stringify(response.body.detail)).toContain(message);
  });

  it.each(['not-a-uuid', '1', "1' OR '1'='1", '%00'])(
    'answers the id %j with 400, never 500',
    async (id) => {
      const response = await request(t.server)
        .get(`/todos/${encodeURIComponent(id)}`)
        .set(bearer(alice.accessToken));
      expect(response.status).toBe(400);
    },
  );

  it('needs todos:read to read and todos:write to write', async () => {
    const readOnly = await tokenRequest(t, {
      grant_type: 'password',
      username: alice.username,
      password: PASSWORD,
      scope: 'todos:read',
    }).expect(200);
    await request(t.server)
      .get('/todos')
      .set(bearer(readOnly.body.access_token))
      .expect(200);
    const refused = await request(t.server)
      .post('/todos')
      .set(bearer(readOnly.body.access_token))
      .send({ title: 'x' })
      .expect(403);
    expect(refused.headers['www-authenticate']).toBe(
      'Bearer realm="warden", error="insufficient_scope", scope="todos:write"',
    );
  });

  it('answers every todo route without a token with 401', async () => {
    await request(t.server).get('/todos').expect(401);
    await request(t.server).get('/secure-todos').expect(401);
    await request(t.server).post('/todos').send({ title: 'x' }).expect(401);
    await request(t.server).get(`/todos/${MISSING_ID}`).expect(401);
    await request(t.server).patch(`/todos/${MISSING_ID}`).send({}).expect(401);
    await request(t.server).delete(`/todos/${MISSING_ID}`).expect(401);
  });

  it('serves the seed flow: form login, then GET /secure-todos is an array; wrong password 401', async () => {
    const login = await request(t.server)
      .post('/login')
      .type('form')
      .send({ username: alice.username, password: PASSWORD })
      .expect(200);
    const todos = await request(t.server)
      .get('/secure-todos')
      .set(bearer(login.body.access_token))
      .expect(200);
    expect(Array.isArray(todos.body)).toBe(true);
    await request(t.server)
      .post('/login')
      .type('form')
      .send({ username: alice.username, password: 'nope nope' })
      .expect(401);
    await request(t.server).get('/secure-todos').expect(401);
  });
});
