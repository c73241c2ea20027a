import { randomUUID } from 'node:crypto';
import { withPlaceholders } from '../src/database/dialect.js';
import { testDatabaseKind } from './support/database.js';
import { appForSuite } from './support/suite.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const HASH = 'a'.repeat(64);

/**
 * The lookups of the authorization code flow that run per request or per session ending, each
 * served by its index on both databases (checked with their own EXPLAIN): the browser session by
 * its cookie, the client sessions of ended browser sessions, a code, a consent, the sweep of
 * expired codes and a removed client's sessions.
 */
describe(`Authorization code flow query plans (${testDatabaseKind()})`, () => {
  const t = appForSuite();

  const cases: [string, string, unknown[], string[]][] = [
    [
      'browser session by cookie',
      'SELECT * FROM "sessions" WHERE "browserTokenHash" = ?',
      [HASH],
      ['UQ_sessions_browser_token'],
    ],
    [
      'client sessions of ended browser sessions',
      'SELECT "id" FROM "sessions" WHERE "parentId" IN (?, ?) AND "endedAt" IS NULL',
      [randomUUID(), randomUUID()],
      ['IDX_sessions_parent'],
    ],
    [
      "a removed client's sessions",
      'SELECT "id" FROM "sessions" WHERE "clientId" = ? AND "endedAt" IS NULL',
      ['client'],
      ['IDX_sessions_client'],
    ],
    [
      'authorization code',
      'SELECT * FROM "authorization_codes" WHERE "codeHash" = ?',
      [HASH],
      ['authorization_codes_pkey', 'sqlite_autoindex_authorization_codes_1'],
    ],
    [
      'expired codes',
      'SELECT "codeHash" FROM "authorization_codes" WHERE "expiresAt" < ?',
      [new Date().toISOString()],
      ['IDX_authorization_codes_expires'],
    ],
    [
      'consent',
      'SELECT * FROM "consents" WHERE "userId" = ? AND "clientId" = ?',
      [randomUUID(), 'client'],
      ['UQ_consents_user_client'],
    ],
  ];

  it.each(cases.map((row, index) => [row[0], index] as const))(
    '%s is found through its index',
    async (name, index) => {
      const [, raw, parameters, indexes] = cases[index];
      const sql = withPlaceholders(t.dataSource, raw);
      if (testDatabaseKind() === 'sqlite') {
        const plan = await t.dataSource.query<{ detail: string }[]>(
          `EXPLAIN QUERY PLAN ${sql}`,
          parameters,
        );
        const details = plan.map((row) => row.detail).join(' | ');
        expect(
          indexes.some((index) => details.includes(index)),
          `${name}: ${details}`,
        ).toBe(true);
        return;
      }
      const runner = t.dataSource.createQueryRunner();
      try {
        await runner.startTransaction();
        // Tiny test tables would rather be scanned: forbid it, so the plan shows whether an
        // index can serve the query.
        await runner.query('SET LOCAL enable_seqscan = off');
        const [
          {
            'QUERY PLAN': [{ Plan: plan }],
          },
        ] = (await runner.query(
          `EXPLAIN (FORMAT JSON) ${sql}`,
          parameters,
        )) as { 'QUERY PLAN': { Plan: PlanNode }[] }[];
        const names: string[] = [];
        const walk = (node: PlanNode) => {
          if (node['Index Name']) names.push(node['Index Name'].toLowerCase());
          node.Plans?.forEach(walk);
        };
        walk(plan);
        expect(
          indexes.some((index) => names.includes(index.toLowerCase())),
          `${name}: ${JSON.stringify(plan)}`,
        ).toBe(true);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    },
  );
});
