import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import request from 'supertest';
import { PROBLEM_TYPES } from '../src/problems/problem-types.js';
import {
  documentedRouteTable,
  ROUTE_TABLE_FILE,
  routeTable,
  writeRouteTable,
} from './support/route-table.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const root = resolve(import.meta.dirname, '..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

/** Pages the server serves outside the OpenAPI document. */
const NOT_IN_OPENAPI = new Set([
  'GET /docs',
  'GET /docs-json',
  'GET /problems/{error}',
  // The authorization endpoint and its hosted forms serve browsers, not API clients.
  'GET /oauth/authorize',
  'POST /oauth/authorize',
  'POST /oauth/sign-in',
  'POST /oauth/sign-in/second-factor',
  'POST /oauth/sign-in/passkey',
  'GET /oauth/sign-in.js',
  'POST /oauth/consent',
  'GET /oauth/sign-up',
  'POST /oauth/sign-up',
  'GET /oauth/forgot-password',
  'POST /oauth/forgot-password',
  'GET /oauth/logout',
  'POST /oauth/logout',
  'POST /oauth/logout/confirm',
]);

/**
 * The documentation users read is checked against what runs: docs/api.md's route table against
 * the OpenAPI document, and docs/security-tests.md's "tested" claims against the test files.
 */
describe('docs/ agrees with the code', () => {
  let t: TestApp;
  let operations: Set<string>;
  beforeAll(async () => {
    t = await startTestApp();
    const document = (await request(t.server).get('/docs-json').expect(200))
      .body as { paths: Record<string, Record<string, unknown>> };
    operations = new Set(
      Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
  });
  afterAll(() => t.close());

  /** `GET, PATCH | \`/todos/:id\` (also \`/x\`)` rows of docs/api.md, as "METHOD /path" entries. */
  function documentedRoutes(): Set<string> {
    const routes = new Set<string>();
    for (const line of read('docs/api.md').split('\n')) {
      const cells = line.split('|').map((cell) => cell.trim());
      if (cells.length < 4 || !/^[A-Z, ]+$/.test(cells[1] ?? '')) continue;
      const methods = cells[1].split(',').map((method) => method.trim());
      const paths = [...cells[2].matchAll(/`([^`]+)`/g)].map((match) =>
        match[1].replace(/:(\w+)/g, '{$1}'),
      );
      for (const method of methods)
        for (const path of paths) routes.add(`${method} ${path}`);
    }
    return routes;
  }

  it('docs/api.md lists every operation of the OpenAPI document, and nothing that does not exist', () => {
    const documented = documentedRoutes();
    expect(documented.size).toBeGreaterThan(30);
    expect([...operations].filter((op) => !documented.has(op))).toEqual([]);
    expect(
      [...documented].filter(
        (route) => !operations.has(route) && !NOT_IN_OPENAPI.has(route),
      ),
    ).toEqual([]);
  });

  // `npm run docs:routes` runs this test with WRITE_ROUTE_TABLE=1 to rewrite the file.
  it(`${ROUTE_TABLE_FILE}'s route table is the one Nest's route metadata builds`, () => {
    const table = routeTable(t.app);
    if (process.env.WRITE_ROUTE_TABLE === '1') {
      writeFileSync(resolve(root, ROUTE_TABLE_FILE), writeRouteTable(table));
      return;
    }
    if (documentedRouteTable() !== table)
      throw new Error(
        `${ROUTE_TABLE_FILE}'s route table is out of date; run npm run docs:routes, or paste:\n\n${table}\n`,
      );
  });

  it("docs/api.md's table of error kinds is the catalogue the server answers with", () => {
    const rows = new Map(
      read('docs/api.md')
        .split('\n')
        .map((line) => /^\| `([a-z_]+)` +\| ([\d, ]+?) +\|/.exec(line))
        .filter((match) => match !== null)
        .map((match) => [match[1], match[2].split(', ').map(Number)]),
    );
    expect([...rows.keys()].sort()).toEqual(Object.keys(PROBLEM_TYPES).sort());
    for (const [code, kind] of Object.entries(PROBLEM_TYPES))
      expect(rows.get(code), code).toContain(kind.status);
  });

  it('every relative link of the README and docs/ leads to a file and a heading that exist', () => {
    const files = [
      'README.md',
      ...readdirSync(resolve(root, 'docs'))
        .filter((file) => file.endsWith('.md'))
        .map((file) => `docs/${file}`),
    ];
    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
    const anchors = (file: string) =>
      new Set(
        [...read(file).matchAll(/^#+ (.+)$/gm)].map(([, heading]) =>
          heading
            .toLowerCase()
            .replace(/[^\p{L}\p{N} _-]/gu, '')
            .replaceAll(' ', '-'),
        ),
      );
    const broken: string[] = [];
    let links = 0;
    for (const file of files) {
      for (const [, target] of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        links++;
        const [path, anchor] = target.split('#');
        const linked = path
          ? resolve(root, dirname(file), path).slice(root.length + 1)
          : file;
        if (!existsSync(resolve(root, linked)))
          broken.push(`${file}: ${target}`);
        else if (anchor && !anchors(linked).has(anchor))
          broken.push(`${file}: ${target} (no such heading)`);
      }
    }
    expect(links).toBeGreaterThan(20);
    expect(broken).toEqual([]);
  });

  it('every case docs/security-tests.md calls tested is named in the files it points to', () => {
    const rows = read('docs/security-tests.md')
      .split('\n')
      .filter((line) => /^\| [A-Z]+-\d+ /.test(line));
    expect(rows.length).toBeGreaterThanOrEqual(140);
    const wrong: string[] = [];
    for (const row of rows) {
      const id = row.split('|')[1].trim();
      const status = row.split('|').at(-2) ?? '';
      if (!status.includes('tested:')) continue;
      for (const [, file] of status.matchAll(/`(test\/[^`]+)`/g)) {
        if (!new RegExp(`\\b${id}\\b`).test(read(file)))
          wrong.push(`${id} in ${file}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
