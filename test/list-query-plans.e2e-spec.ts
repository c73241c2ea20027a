import { appForSuite } from './support/suite.js';
import { randomUUID } from 'node:crypto';
import { PostsService } from '../src/posts/posts.service.js';
import { TodosService } from '../src/todos/todos.service.js';
import { UsersService } from '../src/users/users.service.js';
import { testDatabaseKind } from './support/database.js';
import { explain } from './support/query-plans.js';

/**
 * Every list's page statement is served by an index that covers its WHERE and its whole ORDER
 * BY, so a page costs O(page) however large the table: no sort of the matching rows, on either
 * database. Checked with the databases' own EXPLAIN on the exact SQL the services send.
 */
describe(`List query plans (${testDatabaseKind()})`, () => {
  const t = appForSuite();

  const ownerId = randomUUID();
  const cases = (): [string, () => [string, unknown[]], string[]][] => {
    const posts = t.app.get(PostsService);
    const todos = t.app.get(TodosService);
    const users = t.app.get(UsersService);
    const page = { limit: 20, offset: 40 };
    return [
      [
        'public posts',
        () => posts.pageStatement(page),
        ['IDX_posts_created_id'],
      ],
      [
        "one author's posts",
        () => posts.pageStatement({ ...page, authorId: ownerId }),
        ['IDX_posts_author_created_id'],
      ],
      [
        'todos',
        () => todos.pageStatement(ownerId, page),
        ['IDX_todos_owner_created_id'],
      ],
      [
        'done todos',
        () => todos.pageStatement(ownerId, { ...page, done: true }),
        // With few rows the planner may prefer the owner's index and filter on `done`: also
        // sort-free.
        ['IDX_todos_owner_done_created_id', 'IDX_todos_owner_created_id'],
      ],
      [
        'users (admin)',
        () => users.pageStatement(20, 40),
        ['IDX_users_created_id'],
      ],
    ];
  };

  it.each([0, 1, 2, 3, 4])(
    'list %i is read in index order, without a sort',
    async (index) => {
      const [name, build, expectedIndexes] = cases()[index];
      const [sql, parameters] = build();
      const plan = await explain(t.dataSource, sql, parameters, {
        forbidSort: true,
      });
      expect(plan.sorts, `${name}: ${plan.summary}`).toBe(false);
      expect(
        expectedIndexes.some((index) => plan.usesIndex(index)),
        `${name}: ${plan.summary}`,
      ).toBe(true);
    },
  );
});
