import request from 'supertest';
import { bearer, makeAdmin, signUp, type TestUser } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  json: boolean;
  form: boolean;
  stringFields: string[];
  queryParameters: string[];
}

interface Schema {
  $ref?: string;
  properties?: Record<string, { type?: string }>;
}

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content: Record<string, { schema: Schema }> };
        parameters?: { name: string; in: string }[];
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
}

const ZERO_UUID = '00000000-0000-4000-8000-000000000000';

/**
 * What an attacker sends cheaply that is expensive or fatal to handle: deep nesting, numbers
 * past a column's range, text no database can store. Every operation of the OpenAPI document
 * is attacked, so a route added later is covered without editing this file; on both databases.
 */
describe('K. Hostile input on every route', () => {
  let t: TestApp;
  let user: TestUser;
  let operations: Operation[];

  beforeAll(async () => {
    t = await startTestApp();
    // An admin, so that every route's guard lets the request through to its validation.
    user = await makeAdmin(t, await signUp(t));
    const document = (await request(t.server).get('/docs-json').expect(200))
      .body as OpenApi;
    const resolve = (schema: Schema | undefined) =>
      schema?.$ref
        ? document.components.schemas[schema.$ref.split('/').pop()!]
        : schema;
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => {
        const content = operation.requestBody?.content ?? {};
        const schema = resolve(Object.values(content)[0]?.schema);
        return {
          method: method as Operation['method'],
          path: path.replace(/\{[^}]+\}/g, ZERO_UUID),
          json: 'application/json' in content,
          form: 'application/x-www-form-urlencoded' in content,
          stringFields: Object.entries(schema?.properties ?? {})
            .filter(([, property]) => property.type === 'string')
            .map(([name]) => name),
          queryParameters: (operation.parameters ?? [])
            .filter((parameter) => parameter.in === 'query')
            .map((parameter) => parameter.name),
        };
      }),
    );
  });
  afterAll(() => t.close());

  const call = (operation: Operation, path = operation.path) =>
    request(t.server)[operation.method](path).set(bearer(user.accessToken));

  it('found the routes to attack', () => {
    expect(operations.filter((op) => op.json).length).toBeGreaterThan(10);
    expect(operations.filter((op) => op.form).length).toBeGreaterThan(4);
    expect(
      operations.filter((op) => op.queryParameters.length > 0).length,
    ).toBeGreaterThanOrEqual(4);
  });

  it.each([33, 2_000, 7_000])(
    'JSON nested %i levels deep is a 400 on every body route, before any transformation',
    async (depth) => {
      const deep = `{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const bodies = operations.filter((op) => op.method !== 'get');
      const responses = await Promise.all(
        bodies.map((op) =>
          call(op).set('Content-Type', 'application/json').send(deep),
        ),
      );
      for (const [index, response] of responses.entries()) {
        expect(
          response.status,
          `${bodies[index].method} ${bodies[index].path}`,
        ).toBe(400);
        expect(JSON.stringify(response.body)).toMatch(
          /nests deeper than 32 levels/,
        );
      }
      // Nesting inside a string is only text.
      await request(t.server)
        .post('/todos')
        .set(bearer(user.accessToken))
        .send({ title: 'brackets', description: '['.repeat(5000) })
        .expect(201);
      await request(t.server).get('/health/live').expect(200);
    },
  );

  it.each([
    [
      '1,000 unknown fields',
      `{${Array.from({ length: 1000 }, (_, i) => `"k${i}":1`).join(',')}}`,
    ],
    [
      'an array of 5,000 numbers',
      `{"title":"x","z":[${Array(5000).fill(1).join(',')}]}`,
    ],
  ])(
    '%s in one body is a 400 before validation, on every body route',
    async (_what, body) => {
      const bodies = operations.filter((op) => op.json);
      const responses = await Promise.all(
        bodies.map((op) =>
          call(op).set('Content-Type', 'application/json').send(body),
        ),
      );
      for (const [index, response] of responses.entries()) {
        expect(response.status, bodies[index].path).toBe(400);
        expect(response.body.detail).toBe(
          'A request may hold at most 256 fields and values',
        );
      }
      // The same cap on the query string.
      const query = Array.from({ length: 300 }, (_, i) => `k${i}=1`).join('&');
      await request(t.server).get(`/posts?${query}`).expect(400);
    },
  );

  it('nesting at the limit is parsed (and then refused by validation as an unknown shape)', async () => {
    const atLimit = `{"title":"x","extra":${'['.repeat(31)}${']'.repeat(31)}}`;
    const response = await request(t.server)
      .post('/todos')
      .set(bearer(user.accessToken))
      .set('Content-Type', 'application/json')
      .send(atLimit)
      .expect(400);
    expect(response.body.detail).toContain('property extra should not exist');
  });

  const outOfRange = [
    '1e20',
    '-1',
    '99999999999999999999',
    '2147483648',
    '0x10',
    '1.5',
    ' 1',
    'Infinity',
    'NaN',
    '',
    '%00',
  ];

  it.each(outOfRange)(
    'query value %j on every query parameter is a 400, never a 500',
    async (value) => {
      const cases = operations.flatMap((op) =>
        op.queryParameters.map((name) => ({ op, name })),
      );
      const responses = await Promise.all(
        cases.map(({ op, name }) =>
          call(op, `${op.path}?${name}=${encodeURIComponent(value)}`),
        ),
      );
      for (const [index, response] of responses.entries()) {
        const { op, name } = cases[index];
        expect(
          response.status,
          `${op.path}?${name}=${value}: ${response.text}`,
        ).toBe(400);
      }
    },
  );

  it('the largest offset is served (an empty page), on both databases', async () => {
    for (const path of ['/posts', '/todos', '/users']) {
      const response = await request(t.server)
        .get(`${path}?offset=2147483647&limit=100`)
        .set(bearer(user.accessToken));
      expect(response.status).toBe(200);
      expect(response.body).toEqual([]);
    }
  });

  it.each([
    ['NUL', 'a\u0000b', true],
    // A form body is UTF-8, which cannot carry a lone surrogate: JSON only.
    ['an unpaired surrogate', 'a\ud800b', false],
  ])(
    '%s in any string field of any JSON or form body is a 400 (PostgreSQL cannot store it)',
    async (_what, hostile, inForms) => {
      const cases = operations.flatMap((op) =>
        op.stringFields.flatMap((field) => [
          ...(op.json ? [{ op, field, form: false }] : []),
          ...(op.form && inForms ? [{ op, field, form: true }] : []),
        ]),
      );
      expect(cases.length).toBeGreaterThan(20);
      const responses = await Promise.all(
        cases.map(({ op, field, form }) =>
          form
            ? call(op)
                .type('form')
                .send(
                  `grant_type=password&${field}=${encodeURIComponent(hostile)}`,
                )
            : call(op).send({ [field]: hostile }),
        ),
      );
      for (const [index, response] of responses.entries()) {
        const { op, field, form } = cases[index];
        const label = `${op.method} ${op.path} ${field} (${form ? 'form' : 'json'})`;
        expect(response.status, `${label}: ${response.text}`).toBe(400);
        if (['/auth/token', '/token', '/auth/revoke'].includes(op.path)) {
          expect(response.body, label).toEqual({
            error: 'invalid_request',
            error_description: expect.any(String),
          });
        }
      }
    },
  );

  it('NUL in a query string, a key or a path segment is a 400', async () => {
    await request(t.server).get('/posts?authorId=%00').expect(400);
    await request(t.server).get('/posts?a%00=1').expect(400);
    await request(t.server).get('/posts/%00').expect(400);
    await request(t.server)
      .post('/todos')
      .set(bearer(user.accessToken))
      .send({ 'ti\u0000tle': 'x' })
      .expect(400);
  });

  it.each([
    ['a control character', 'Bad\u0007bell'],
    ['an escape sequence', 'Red \u001b[31mtext'],
    ['a line break', 'two\nlines'],
    ['a Unicode line separator', 'two\u2028lines'],
    ['a C1 control', 'next\u0085line'],
    ['a right-to-left override', 'evil\u202egnp.exe'],
    ['a bidi isolate', 'a\u2066b\u2069'],
  ])(
    '%s in a one-line field (titles, fullName) is a 400',
    async (_what, text) => {
      const todo = await request(t.server)
        .post('/todos')
        .set(bearer(user.accessToken))
        .send({ title: text });
      expect(todo.status).toBe(400);
      expect(todo.body.detail).toContain(
        'title must be one line of text without control or bidi characters',
      );
      await request(t.server)
        .post('/posts')
        .set(bearer(user.accessToken))
        .send({ title: text, content: 'c' })
        .expect(400);
      await request(t.server)
        .patch('/users/me')
        .set(bearer(user.accessToken))
        .send({ fullName: text })
        .expect(400);
      const fresh = await request(t.server)
        .post('/auth/signup')
        .send({
          email: `ctl${Date.now()}@example.com`,
          password: 'a fine long passphrase',
          fullName: text,
        });
      expect(fresh.status).toBe(400);
    },
  );

  it('free text keeps its line breaks and tabs but refuses other controls and bidi overrides', async () => {
    const kept = await request(t.server)
      .post('/posts')
      .set(bearer(user.accessToken))
      .send({ title: 'Lines', content: 'one\r\ntwo\n\tindented\u200f' })
      .expect(201);
    expect(kept.body.content).toBe('one\r\ntwo\n\tindented\u200f');
    for (const content of ['bell\u0007', 'override\u202e', 'c1\u009b']) {
      await request(t.server)
        .post('/posts')
        .set(bearer(user.accessToken))
        .send({ title: 'x', content })
        .expect(400);
      await request(t.server)
        .post('/todos')
        .set(bearer(user.accessToken))
        .send({ title: 'x', description: content })
        .expect(400);
    }
  });

  it('emoji, accents and right-to-left scripts are ordinary text', async () => {
    const title = 'Café 👩‍👩‍👧 עברית';
    const response = await request(t.server)
      .post('/todos')
      .set(bearer(user.accessToken))
      .send({ title })
      .expect(201);
    expect(response.body.title).toBe(title);
  });

  it('a 404 never repeats the query string, where secrets travel', async () => {
    const response = await request(t.server)
      .get('/auth/revoke?token=s3cr3t-refresh-token&access_token=abc')
      .expect(404);
    expect(response.text).not.toContain('s3cr3t');
    expect(response.text).not.toContain('access_token');
    expect(response.body.detail).toBe('Cannot GET /auth/revoke');
    const unknown = await request(t.server)
      .post('/nowhere?password=hunter2')
      .expect(404);
    expect(unknown.text).not.toContain('hunter2');
  });

  it('the token and revocation endpoints answer unparsable bodies in the RFC 6749 shape', async () => {
    for (const path of ['/auth/token', '/auth/revoke']) {
      const response = await request(t.server)
        .post(path)
        .set('Content-Type', 'application/json')
        .send('{"grant_type":')
        .expect(400);
      expect(response.body).toEqual({
        error: 'invalid_request',
        error_description: expect.stringMatching(
          /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/,
        ),
      });
    }
  });
});
