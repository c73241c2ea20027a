import { randomUUID } from 'node:crypto';
import { withPlaceholders } from '../src/database/dialect.js';
import { testDatabaseKind } from './support/database.js';
import { explain } from './support/query-plans.js';
import { appForSuite } from './support/suite.js';

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
      const plan = await explain(
        t.dataSource,
        withPlaceholders(t.dataSource, raw),
        parameters,
      );
      expect(
        indexes.some((index) => plan.usesIndex(index)),
        `${name}: ${plan.summary}`,
      ).toBe(true);
    },
  );
});
