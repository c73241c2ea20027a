import request from 'supertest';
import { bearer, makeAdmin, signUp, type TestUser } from './support/api.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('Posts: public to read, editable by their author or an admin', () => {
  let t: TestApp;
  let alice: TestUser;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    alice = await signUp(t, { fullName: 'Alice A.' });
    admin = await makeAdmin(t, await signUp(t));
  });
  afterAll(() => t.close());

  const createPost = async (
    user: TestUser,
    body: Record<string, unknown> = { title: 'Hello', content: 'World' },
  ) =>
    (
      await request(t.server)
        .post('/posts')
        .set(bearer(user.accessToken))
        .send(body)
        .expect(201)
    ).body;

  it('creates a post with the caller as author, readable by anyone', async () => {
    const post = await createPost(alice, {
      title: 'First',
      content: 'My first post.',
    });
    expect(post).toEqual({
      id: expect.any(String),
      title: 'First',
      content: 'My first post.',
      author: { id: alice.id, username: alice.username, fullName: 'Alice A.' },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    await request(t.server).get(`/posts/${post.id}`).expect(200, post);
  });

  it('lets an admin edit and delete anyone’s post', async () => {
    const post = await createPost(alice);
    await request(t.server)
      .patch(`/posts/${post.id}`)
      .set(bearer(admin.accessToken))
      .send({ content: 'Moderated' })
      .expect(200)
      .expect((r) => expect(r.body.author.id).toBe(alice.id));
    await request(t.server)
      .delete(`/posts/${post.id}`)
      .set(bearer(admin.accessToken))
      .expect(204);
    await request(t.server).get(`/posts/${post.id}`).expect(404);
  });

  it('answers 404 for a missing post and 400 for a malformed id', async () => {
    const missing = '3f1c8a52-7d2e-4b8e-9a51-0c7f2b9d6e14';
    await request(t.server).get(`/posts/${missing}`).expect(404);
    await request(t.server)
      .patch(`/posts/${missing}`)
      .set(bearer(alice.accessToken))
      .send({ title: 'x' })
      .expect(404);
    await request(t.server)
      .delete(`/posts/${missing}`)
      .set(bearer(alice.accessToken))
      .expect(404);
    await request(t.server).get('/posts/not-a-uuid').expect(400);
  });

  it('lists newest first with X-Total-Count, pagination and ?authorId', async () => {
    const dave = await signUp(t);
    for (let i = 0; i < 3; i++)
      await createPost(dave, { title: `dave ${i}`, content: 'c' });
    const all = await request(t.server).get('/posts?limit=100').expect(200);
    expect(Number(all.headers['x-total-count'])).toBe(all.body.length);
    const times = all.body.map((post: { createdAt: string }) => post.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    const daves = await request(t.server)
      .get(`/posts?authorId=${dave.id}&limit=2`)
      .expect(200);
    expect(daves.headers['x-total-count']).toBe('3');
    expect(daves.body.map((post: { title: string }) => post.title)).toEqual([
      'dave 2',
      'dave 1',
    ]);
    const rest = await request(t.server)
      .get(`/posts?authorId=${dave.id}&limit=2&offset=2`)
      .expect(200);
    expect(rest.body.map((post: { title: string }) => post.title)).toEqual([
      'dave 0',
    ]);
    await request(t.server).get('/posts?authorId=nope').expect(400);
    await request(t.server).get('/posts?limit=500').expect(400);
  });

  it.each([
    [{ title: 'x' }, 'content'],
    [{ content: 'x' }, 'title'],
    [{ title: '', content: 'x' }, 'title'],
    [{ title: 'x'.repeat(201), content: 'x' }, 'title'],
    [{ title: 'x', content: 'x'.repeat(20001) }, 'content'],
    [{ title: 'x', content: 5 }, 'content must be a string'],
  ])('refuses %j with a 400 naming %s', async (body, field) => {
    const response = await request(t.server)
      .post('/posts')
      .set(bearer(alice.accessToken))
      .send(body)
      .expect(400);
    expect(JSON.stringify(response.body.detail)).toContain(field);
  });

  it('needs a token to write, not to read', async () => {
    await request(t.server).get('/posts').expect(200);
    await request(t.server)
      .post('/posts')
      .send({ title: 'x', content: 'y' })
      .expect(401);
  });
});
