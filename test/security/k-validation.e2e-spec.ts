import request from 'supertest';
import { appAndUserForSuite } from '../support/suite.js';
import { bearer, signUp } from '../support/api.js';

const QUOTA = 3;

describe('K. Validation and parsing', () => {
  const { t, user } = appAndUserForSuite({
    MAX_TODOS_PER_USER: String(QUOTA),
    MAX_POSTS_PER_USER: String(QUOTA),
  });

  const createTodo = (body: unknown, token = user.accessToken) =>
    request(t.server)
      .post('/todos')
      .set(bearer(token))
      .send(body as object);

  it('VAL-01: an unknown field is a 400 that names it', async () => {
    const response = await createTodo({ title: 'x', foo: 1 }).expect(400);
    expect(response.body.detail).toContain('property foo should not exist');
  });

  it.each([
    { title: 123 },
    { title: ['a'] },
    { title: { $ne: null } },
    { title: 'x', done: 'true' },
  ])('VAL-02: wrong types are a 400: %j', async (body) => {
    await createTodo(body).expect(400);
  });

  it('VAL-05: 200 KB of JSON is a 413; so is 20 KB on /auth/login (16 KB limit there)', async () => {
    await createTodo({
      title: 'x',
      description: 'y'.repeat(200 * 1024),
    }).expect(413);
    await request(t.server)
      .post('/auth/login')
      .send({ username: 'x', password: 'y', pad: 'z'.repeat(20 * 1024) })
      .expect(413);
    // Under the limits, the same shapes are ordinary 400s or 201s.
    await createTodo({ title: 'x', description: 'y'.repeat(10_000) }).expect(
      201,
    );
  });

  it('VAL-06: malformed JSON is a 400 with a generic message', async () => {
    const response = await request(t.server)
      .post('/todos')
      .set(bearer(user.accessToken))
      .set('Content-Type', 'application/json')
      .send('{"a":')
      .expect(400);
    expect(response.body).toMatchObject({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
    });
    expect(response.text).not.toMatch(
      /SyntaxError|at JSON\.parse|node_modules/,
    );
  });

  it('VAL-07: over-long titles and contents are a 400', async () => {
    await createTodo({ title: 'x'.repeat(201) }).expect(400);
    await request(t.server)
      .post('/posts')
      .set(bearer(user.accessToken))
      .send({ title: 't', content: 'c'.repeat(20_001) })
      .expect(400);
  });

  it('VAL-08: SQL in a title is stored literally; a sort parameter is refused', async () => {
    const other = await signUp(t);
    const title = "x'); DROP TABLE todos;--";
    const created = await createTodo({ title }, other.accessToken).expect(201);
    await request(t.server)
      .get(`/todos/${created.body.id}`)
      .set(bearer(other.accessToken))
      .expect(200)
      .expect((response) => expect(response.body.title).toBe(title));
    for (const sort of ['id;DROP', 'passwordHash']) {
      await request(t.server)
        .get(`/todos?sort=${encodeURIComponent(sort)}`)
        .set(bearer(other.accessToken))
        .expect(400);
    }
  });

  it('VAL-09: text/plain and application/xml bodies are refused', async () => {
    const plain = await request(t.server)
      .post('/todos')
      .set(bearer(user.accessToken))
      .set('Content-Type', 'text/plain')
      .send('{"title":"x"}');
    expect([400, 415]).toContain(plain.status);
    const xml = await request(t.server)
      .post('/todos')
      .set(bearer(user.accessToken))
      .set('Content-Type', 'application/xml')
      .send('<title>x</title>');
    expect([400, 415]).toContain(xml.status);
  });

  it.each(['nul\u0000name', 'cr\r\nlf', 'rtl\u202Eevil'])(
    'VAL-10: the username %j is a 400',
    async (username) => {
      await request(t.server)
        .post('/auth/signup')
        .send({
          email: 'val10@example.com',
          username,
          password: 'correct horse battery staple',
        })
        .expect(400);
    },
  );

  it('VAL-11: past the per-user quota of todos and of posts, creation is a 400', async () => {
    const owner = await signUp(t);
    for (let i = 0; i < QUOTA; i++)
      await createTodo({ title: `t${i}` }, owner.accessToken).expect(201);
    const refused = await createTodo(
      { title: 'one too many' },
      owner.accessToken,
    ).expect(400);
    expect(refused.body.detail).toMatch(/most one account may keep/);
    for (let i = 0; i < QUOTA; i++) {
      await request(t.server)
        .post('/posts')
        .set(bearer(owner.accessToken))
        .send({ title: `p${i}`, content: 'c' })
        .expect(201);
    }
    await request(t.server)
      .post('/posts')
      .set(bearer(owner.accessToken))
      .send({ title: 'p', content: 'c' })
      .expect(400);
  });
});
