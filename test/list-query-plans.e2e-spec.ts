import { appForSuite } from './support/suite.js';
import { randomUUID } from 'node:crypto';
import { PostsService } from '../src/posts/posts.service.js';
import { TodosService } from '../src/todos/todos.service.js';
import { UsersService } from '../src/users/users.service.js';
import { testDatabaseKind } from './support/database.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

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
      if (testDatabaseKind() === 'sqlite') {
        const plan = await t.dataSource.query<{ detail: string }[]>(
          `EXPLAIN QUERY PLAN ${sql}`,
          parameters,
        );
        const details = plan.map((row) => row.detail);
        expect(details.join(' | '), name).not.toMatch(/TEMP B-TREE/);
        expect(
          details.some((detail) =>
            expectedIndexes.some((index) => detail.includes(index)),
          ),
          details.join(' | '),
        ).toBe(true);
        return;
      }
      const runner = t.dataSource.createQueryRunner();
      try {
        await runner.startTransaction();
        // Tiny test tables would rather be scanned and sorted; forbid both, so the plan shows
        // whether an index *can* serve the query (with sorting off, a needed Sort still appears).
        await runner.query('SET LOCAL enable_seqscan = off');
        await runner.query('SET LOCAL enable_sort = off');
        const [
          {
            'QUERY PLAN': [{ Plan: plan }],
          },
        ] = (await runner.query(
          `EXPLAIN (FORMAT JSON) ${sql}`,
          parameters,
        )) as { 'QUERY PLAN': { Plan: PlanNode }[] }[];
        const nodes: PlanNode[] = [];
        const walk = (node: PlanNode) => {
          nodes.push(node);
          node.Plans?.forEach(walk);
        };
        walk(plan);
        const summary = JSON.stringify(plan);
        expect(
          nodes.filter((node) => /Sort/.test(node['Node Type'])),
          `${name}: ${summary}`,
        ).toEqual([]);
        expect(
          nodes.some((node) =>
            expectedIndexes.some(
              (index) =>
                node['Index Name']?.toLowerCase() === index.toLowerCase(),
            ),
          ),
          `${name}: ${summary}`,
        ).toBe(true);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    },
  );
});
