import request from 'supertest';
import { bearer, makeAdmin, signUp, type TestUser } from './support/api.js';
import { testDatabaseKind } from './support/database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Lists read their rows with hand-written SQL (`ListSelect`), single items through TypeORM's
 * entities: a row must come out of both byte for byte the same (booleans, timestamps with
 * milliseconds, nulls, roles, the author's public fields).
 */
describe(`List rows are the rows (${testDatabaseKind()})`, () => {
  let t: TestApp;
  let alice: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    alice = await signUp(t, { fullName: 'Alice Example' });
  });
  afterAll(() => t.close());

  const get = async (path: string, token: string): Promise<unknown> =>
    (await request(t.server).get(path).set(bearer(token)).expect(200)).body;

  it('todos, done and open, with and without a description', async () => {
    for (const body of [
      { title: 'open one' },
      { title: 'done one', description: 'with text', done: true },
    ]) {
      await request(t.server)
        .post('/todos')
        .set(bearer(alice.accessToken))
        .send(body)
        .expect(201);
    }
    for (const query of ['', '?done=true', '?done=false']) {
      const list = (await get(`/todos${query}`, alice.accessToken)) as {
        id: string;
      }[];
      expect(list.length).toBeGreaterThan(0);
      for (const row of list) {
        expect(row).toEqual(await get(`/todos/${row.id}`, alice.accessToken));
      }
    }
  });

  it("posts, with their author's public fields only", async () => {
    await request(t.server)
      .post('/posts')
      .set(bearer(alice.accessToken))
      .send({ title: 'A post', content: 'Its text.' })
      .expect(201);
    for (const query of ['', `?authorId=${alice.id}`]) {
      const list = (await get(`/posts${query}`, alice.accessToken)) as {
        id: string;
      }[];
      expect(list).toHaveLength(1);
      expect(list[0]).toEqual(
        await get(`/posts/${list[0].id}`, alice.accessToken),
      );
      expect(JSON.stringify(list)).not.toMatch(/argon2|@example\.com/);
    }
  });

  it('users (admin), without a password hash', async () => {
    const admin = await makeAdmin(t, await signUp(t));
    const list = (await get('/users', admin.accessToken)) as { id: string }[];
    expect(list.length).toBeGreaterThanOrEqual(2);
    for (const row of list) {
      expect(row).toEqual(await get(`/users/${row.id}`, admin.accessToken));
    }
    expect(JSON.stringify(list)).not.toMatch(/argon2|passwordHash/);
  });
});
