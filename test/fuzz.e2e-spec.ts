import fc from 'fast-check';
import request from 'supertest';
import { PASSWORD, signUp, type TestUser } from './support/api.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);

interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  sample: Record<string, unknown> | undefined;
  /** Marked `x-oauth-errors` (@OAuthEndpoint()): its errors are RFC 6749 bodies. */
  oauthErrors: boolean;
}

interface Schema {
  $ref?: string;
  properties?: Record<string, { example?: unknown; type?: string }>;
}

/**
 * Property-based fuzzing of every operation in the OpenAPI document: generated and mutated
 * bodies, content types, query strings, path ids and Authorization headers, with and without a
 * valid token. Every answer must be below 500, every 4xx must have a documented error shape,
 * and the service must still answer afterwards. The seed is fixed, so a failure replays.
 */
describe('Fuzzing every route of the OpenAPI document', () => {
  let t: TestApp;
  let user: TestUser;
  let operations: Operation[];

  beforeAll(async () => {
    t = await startTestApp();
    user = await signUp(t);
    const document = (await request(t.server).get('/docs-json').expect(200))
      .body as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: { content: Record<string, { schema: Schema }> };
            'x-oauth-errors'?: boolean;
          }
        >
      >;
      components: { schemas: Record<string, Schema> };
    };
    const sampleOf = (
      schema: Schema | undefined,
    ): Record<string, unknown> | undefined => {
      const resolved = schema?.$ref
        ? document.components.schemas[schema.$ref.split('/').pop()!]
        : schema;
      if (!resolved?.properties) return undefined;
      return Object.fromEntries(
        Object.entries(resolved.properties).map(([name, property]) => [
          name,
          property.example ?? 'x',
        ]),
      );
    };
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        method: method as Operation['method'],
        path,
        sample: sampleOf(
          Object.values(operation.requestBody?.content ?? {})[0]?.schema,
        ),
        oauthErrors: operation['x-oauth-errors'] === true,
      })),
    );
  });
  afterAll(() => t.close());

  const junk = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 }),
    fc.string({ minLength: 300, maxLength: 3000 }),
    fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\r\n',
      '🦊',
      "' OR 1=1 --",
      '{"$ne":null}',
      '../../etc/passwd',
      '%00',
      // Text no database may store, or that reads differently from what it holds.
      'a\u0000b',
      '\ud800',
      'x\udfffy',
      '\u0007\u001b[31m\u0085',
      'evil\u202egnp.exe',
      'ja\u200bne',
      '\u00adsoft',
      'ｊａｎｅ@ｅｘａｍｐｌｅ.com',
      'j\u0430ne@example.com',
      'two\u2028lines',
    ),
    // Numbers past every column's range, and the ones at its edges.
    fc.constantFrom(
      1e20,
      -1e20,
      1e308,
      Number.MAX_SAFE_INTEGER + 2,
      2147483647,
      2147483648,
      -2147483649,
      0.1,
    ),
    // Nesting, shallow and deep (the deep cases are in the 'deep-json' encoding below).
    fc.integer({ min: 2, max: 40 }).map((depth) => {
      let value: unknown = 'x';
      for (let i = 0; i < depth; i++) value = [value];
      return value;
    }),
  );

  const body = (sample: Record<string, unknown> | undefined) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(sample ?? {}) },
      {
        weight: 4,
        arbitrary: fc
          .tuple(fc.constantFrom(...Object.keys(sample ?? { x: 1 })), junk)
          .map(([key, value]) => ({ ...(sample ?? {}), [key]: value })),
      },
      {
        weight: 2,
        arbitrary: fc
          .constantFrom(...Object.keys(sample ?? { x: 1 }))
          .map((key) =>
            Object.fromEntries(
              Object.entries(sample ?? {}).filter(([name]) => name !== key),
            ),
          ),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.string({ minLength: 1, maxLength: 10 }), junk)
          .map(([k, v]) => ({ ...(sample ?? {}), [k]: v })),
      },
      { weight: 1, arbitrary: fc.jsonValue() },
    );

  const idSegment = fc.oneof(
    fc.uuid(),
    fc.constant('3f1c8a52-7d2e-4b8e-9a51-0c7f2b9d6e14'),
    fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
    fc.constantFrom(
      '0',
      '-1',
      'null',
      'undefined',
      '%2e%2e',
      'a'.repeat(500),
      '%C0%AF',
    ),
  );

  const query = fc.oneof(
    fc.constant(''),
    fc
      .array(
        fc.tuple(
          fc.constantFrom(
            'limit',
            'offset',
            'done',
            'authorId',
            'access_token',
            'ownerId',
            'sort',
            'x',
          ),
          fc.oneof(
            fc.string({ maxLength: 20 }),
            fc.integer().map(String),
            fc.constantFrom(
              'true',
              'false',
              '-1',
              '1e9',
              '[]',
              '1e20',
              '99999999999999999999',
              '2147483647',
              '2147483648',
              '0x10',
              '\u0000',
              '\u202e',
            ),
          ),
        ),
        { maxLength: 3 },
      )
      .map(
        (pairs) =>
          `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`,
      ),
  );

  const authorization = fc.oneof(
    { weight: 4, arbitrary: fc.constant('valid') },
    { weight: 2, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.string({ maxLength: 60 }).map((token) => `Bearer ${token}`),
        fc.constantFrom(
          'Bearer',
          'Basic YTpi',
          'bearer  x',
          'Bearer a.b.c',
          'Bearer eyJhbGciOiJub25lIn0.e30.',
        ),
      ),
    },
  );

  const encoding = fc.constantFrom(
    'json',
    'form',
    'text',
    'raw-json',
    'deep-json',
    'none',
  );
  const deepJson = (depth: number, inObject: boolean) =>
    `${inObject ? '{"x":' : ''}${'['.repeat(depth)}${']'.repeat(depth)}${inObject ? '}' : ''}`;

  /**
   * RFC 9457 problem details (`application/problem+json`, a type URI whose last segment is the
   * `error` code, or `about:blank` without one), or on the OAuth endpoints an RFC 6749 body.
   */
  const isDocumentedError = (
    operation: Operation,
    status: number,
    contentType: string,
    payload: unknown,
  ): boolean => {
    if (typeof payload !== 'object' || payload === null) return false;
    const body = payload as Record<string, unknown>;
    const kind =
      body.type === 'about:blank'
        ? body.error === undefined
        : typeof body.error === 'string' &&
          typeof body.type === 'string' &&
          body.type.endsWith(`/problems/${body.error}`);
    const fields =
      body.errors === undefined ||
      (Array.isArray(body.errors) &&
        body.errors.every(
          (field: { pointer?: unknown; detail?: unknown }) =>
            typeof field.pointer === 'string' &&
            typeof field.detail === 'string',
        ));
    const problem =
      contentType.startsWith('application/problem+json') &&
      body.status === status &&
      typeof body.title === 'string' &&
      typeof body.detail === 'string' &&
      kind &&
      fields;
    const oauth =
      contentType.startsWith('application/json') &&
      typeof body.error === 'string' &&
      typeof body.error_description === 'string';
    return operation.oauthErrors ? oauth : problem;
  };

  // ~10 s for 5,000 requests on an idle 2-core machine; 18x headroom for a loaded one.
  it(
    `answers ${RUNS} generated requests without a 5xx, always in a documented error shape`,
    { timeout: 180_000 },
    async () => {
      let token = user.accessToken;
      let requests = 0;
      const case_ = fc.integer({ min: 0, max: 10_000 }).chain((index) => {
        const operation = operations[index % operations.length];
        return fc.record({
          operation: fc.constant(operation),
          body: body(operation.sample),
          id: idSegment,
          query,
          authorization,
          encoding,
        });
      });

      await fc.assert(
        fc.asyncProperty(
          case_,
          async ({
            operation,
            body: payload,
            id,
            query: search,
            authorization: auth,
            encoding: how,
          }) => {
            if (++requests % 250 === 0) {
              // Some generated requests end the fuzzer's session (logout with no refresh token ends
              // the bearer's): take a fresh token now and then, so valid-token paths stay covered.
              const login = await request(t.server)
                .post('/auth/login')
                .send({ username: user.username, password: PASSWORD });
              if (login.status === 200)
                token = login.body.access_token as string;
            }
            const path = operation.path.replace(/\{[^}]+\}/g, id) + search;
            let call = request(t.server)[operation.method](path);
            if (auth === 'valid')
              call = call.set('Authorization', `Bearer ${token}`);
            else if (auth !== undefined) call = call.set('Authorization', auth);
            if (operation.method !== 'get') {
              if (how === 'json')
                call = call
                  .set('Content-Type', 'application/json')
                  .send(JSON.stringify(payload));
              else if (
                how === 'form' &&
                typeof payload === 'object' &&
                payload !== null &&
                !Array.isArray(payload)
              ) {
                call = call.type('form').send(
                  Object.fromEntries(
                    Object.entries(payload).map(([k, v]) => [
                      k,
                      // A form is UTF-8, which has no lone surrogates (the JSON cases send them).
                      (typeof v === 'string' ? v : JSON.stringify(v)).replace(
                        /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
                        '\ufffd',
                      ),
                    ]),
                  ),
                );
              } else if (how === 'text')
                call = call
                  .set('Content-Type', 'text/plain')
                  .send(JSON.stringify(payload));
              else if (how === 'deep-json')
                call = call
                  .set('Content-Type', 'application/json')
                  .send(deepJson(33 + (requests % 5000), requests % 2 === 0));
              else if (how === 'raw-json')
                call = call
                  .set('Content-Type', 'application/json')
                  .send(JSON.stringify(payload).slice(0, -1));
            }
            const response = await call;
            if (response.status >= 500) {
              throw new Error(
                `${operation.method.toUpperCase()} ${path} -> ${response.status}: ${response.text}`,
              );
            }
            if (
              response.status >= 400 &&
              !isDocumentedError(
                operation,
                response.status,
                String(response.headers['content-type']),
                response.body,
              )
            ) {
              throw new Error(
                `${operation.method.toUpperCase()} ${path} -> ${response.status} undocumented body: ${response.text}`,
              );
            }
          },
        ),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      expect(requests).toBeGreaterThanOrEqual(RUNS);

      // Still serving: health, and a whole signup-login-read round trip.
      await request(t.server).get('/health/ready').expect(200);
      const fresh = await signUp(t);
      const login = await request(t.server)
        .post('/auth/login')
        .send({ username: fresh.username, password: PASSWORD })
        .expect(200);
      await request(t.server)
        .get('/users/me')
        .set('Authorization', `Bearer ${login.body.access_token}`)
        .expect(200);
    },
  );
});
