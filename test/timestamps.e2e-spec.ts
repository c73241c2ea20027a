import request from 'supertest';
import { appAndUserForSuite } from './support/suite.js';
import { bearer, signUp } from './support/api.js';

const ROUNDS = 8;

/**
 * Timestamps keep milliseconds on both databases, and an edit made in the same second as the
 * create never shows `updatedAt` before `createdAt` (SQLite's CURRENT_TIMESTAMP has whole
 * seconds; a trigger restamps it).
 */
describe('Timestamps: millisecond precision, updatedAt >= createdAt', () => {
  const { t, user } = appAndUserForSuite();

  const expectOrdered = (
    rows: { createdAt: string; updatedAt: string }[],
  ): void => {
    for (const row of rows) {
      expect(Date.parse(row.updatedAt)).toBeGreaterThanOrEqual(
        Date.parse(row.createdAt),
      );
    }
    // Whole seconds every time would mean the milliseconds were dropped (1 in 1000^16 by chance).
    const fractions = rows.flatMap((row) => [row.createdAt, row.updatedAt]);
    expect(fractions.some((stamp) => !stamp.endsWith('.000Z'))).toBe(true);
  };

  it('todos: created and edited at once', async () => {
    const rows = [];
    for (let i = 0; i < ROUNDS; i++) {
      const created = await request(t.server)
        .post('/todos')
        .set(bearer(user.accessToken))
        .send({ title: `t${i}` })
        .expect(201);
      const edited = await request(t.server)
        .patch(`/todos/${created.body.id}`)
        .set(bearer(user.accessToken))
        .send({ done: true })
        .expect(200);
      expect(edited.body.createdAt).toBe(created.body.createdAt);
      rows.push(edited.body);
      // And as read back later.
      const read = await request(t.server)
        .get(`/todos/${created.body.id}`)
        .set(bearer(user.accessToken))
        .expect(200);
      expect(read.body.updatedAt).toBe(edited.body.updatedAt);
    }
    expectOrdered(rows);
  });

  it('posts: created and edited at once', async () => {
    const rows = [];
    for (let i = 0; i < ROUNDS; i++) {
      const created = await request(t.server)
        .post('/posts')
        .set(bearer(user.accessToken))
        .send({ title: `p${i}`, content: 'c' })
        .expect(201);
      const edited = await request(t.server)
        .patch(`/posts/${created.body.id}`)
        .set(bearer(user.accessToken))
        .send({ title: 'edited' })
        .expect(200);
      rows.push(edited.body);
    }
    expectOrdered(rows);
  });

  it('users: a profile edit right after signup', async () => {
    const rows = [];
    for (let i = 0; i < ROUNDS / 2; i++) {
      const fresh = await signUp(t);
      const edited = await request(t.server)
        .patch('/users/me')
        .set(bearer(fresh.accessToken))
        .send({ fullName: `Name ${i}` })
        .expect(200);
      rows.push(edited.body);
    }
    expectOrdered(rows);
  });
});
