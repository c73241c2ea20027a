import request from 'supertest';
import { appForSuite } from './support/suite.js';
import { PASSWORD, bearer, signUp } from './support/api.js';

describe('DELETE /users/me', () => {
  const t = appForSuite();

  const count = async (table: string, column: string, id: string) =>
    Number(
      (
        await t.dataSource
          .createQueryBuilder()
          .select('COUNT(*)', 'n')
          .from(table, 'row')
          .where(`row.${column} = :id`, { id })
          .getRawOne()
      ).n,
    );

  it('needs the password: missing is 400, wrong is 403, and nothing is deleted', async () => {
    const user = await signUp(t);
    await request(t.server)
      .delete('/users/me')
      .set(bearer(user.accessToken))
      .send({})
      .expect(400);
    await request(t.server)
      .delete('/users/me')
      .set(bearer(user.accessToken))
      .send({ password: 'wrong password' })
      .expect(403);
    await request(t.server)
      .get('/users/me')
      .set(bearer(user.accessToken))
      .expect(200);
  });

  it('deletes the account with its todos and posts; its old token is refused and others see 404', async () => {
    const alice = await signUp(t);
    const bob = await signUp(t);
    const todo = (
      await request(t.server)
        .post('/todos')
        .set(bearer(alice.accessToken))
        .send({ title: 't' })
    ).body;
    const post = (
      await request(t.server)
        .post('/posts')
        .set(bearer(alice.accessToken))
        .send({ title: 't', content: 'c' })
    ).body;
    const bobsPost = (
      await request(t.server)
        .post('/posts')
        .set(bearer(bob.accessToken))
        .send({ title: 'b', content: 'b' })
    ).body;

    await request(t.server)
      .delete('/users/me')
      .set(bearer(alice.accessToken))
      .send({ password: PASSWORD })
      .expect(204);

    expect(await count('users', 'id', alice.id)).toBe(0);
    expect(await count('todos', 'ownerId', alice.id)).toBe(0);
    expect(await count('posts', 'authorId', alice.id)).toBe(0);
    await request(t.server)
      .get('/users/me')
      .set(bearer(alice.accessToken))
      .expect(401);
    await request(t.server)
      .get(`/todos/${todo.id}`)
      .set(bearer(alice.accessToken))
      .expect(401);
    await request(t.server)
      .get(`/todos/${todo.id}`)
      .set(bearer(bob.accessToken))
      .expect(404);
    await request(t.server).get(`/posts/${post.id}`).expect(404);
    await request(t.server).get(`/posts/${bobsPost.id}`).expect(200);
    await request(t.server)
      .post('/auth/login')
      .send({ username: alice.username, password: PASSWORD })
      .expect(401);
  });
});
