import request from 'supertest';
import { startTestApp, type TestApp } from './support/test-app.js';

type Json = Record<string, unknown>;

/**
 * The OpenAPI document is what Swagger UI and generated clients trust: every parameter and
 * schema has a real type, every response says what it means, and every example matches its
 * status. Walks the whole document, so a route added later is checked without editing this.
 */
describe('The OpenAPI document (/docs-json)', () => {
  let t: TestApp;
  let document: Json;
  beforeAll(async () => {
    t = await startTestApp();
    document = (await request(t.server).get('/docs-json').expect(200))
      .body as Json;
  });
  afterAll(() => t.close());

  /** Every node of the document with the JSON path that leads to it. */
  function* walk(node: unknown, path: string): Generator<[string, Json]> {
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries())
        yield* walk(item, `${path}[${index}]`);
    } else if (typeof node === 'object' && node !== null) {
      yield [path, node as Json];
      for (const [key, value] of Object.entries(node))
        yield* walk(value, `${path}.${key}`);
    }
  }

  const operations = () =>
    Object.entries(
      document.paths as Record<string, Record<string, Json>>,
    ).flatMap(([path, item]) =>
      Object.entries(item).map(
        ([method, operation]) =>
          [`${method.toUpperCase()} ${path}`, operation] as const,
      ),
    );

  it('has no $ref to a schema called Object, and no schema named Object', () => {
    const refs = [...walk(document, '$')].filter(
      ([, node]) => node.$ref === '#/components/schemas/Object',
    );
    expect(refs.map(([path]) => path)).toEqual([]);
    expect(
      Object.keys((document.components as Json).schemas as Json),
    ).not.toContain('Object');
  });

  it('has no object schema without properties (an untyped hole in the contract)', () => {
    const holes = [...walk(document, '$')].filter(
      ([, node]) =>
        node.type === 'object' &&
        node.properties === undefined &&
        node.additionalProperties === undefined,
    );
    expect(holes.map(([path]) => path)).toEqual([]);
  });

  it('publishes every parameter with its real type', () => {
    const untyped = operations().flatMap(([name, operation]) =>
      ((operation.parameters as Json[] | undefined) ?? [])
        .filter((parameter) => {
          const schema = parameter.schema as Json | undefined;
          return (
            !schema || (schema.type === undefined && schema.$ref === undefined)
          );
        })
        .map((parameter) => `${name} ${String(parameter.name)}`),
    );
    expect(untyped).toEqual([]);
    const todos = (document.paths as Json)['/todos'] as Json;
    const parameters = (todos.get as Json).parameters as Json[];
    expect(parameters.find((p) => p.name === 'limit')?.schema).toEqual({
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: 20,
    });
    expect(parameters.find((p) => p.name === 'offset')?.schema).toMatchObject({
      type: 'integer',
      minimum: 0,
      default: 0,
    });
  });

  it('has unique operationIds that are plain identifiers (Swagger UI builds element ids from them)', () => {
    const ids = operations().map(([, operation]) =>
      String(operation.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !/^[A-Za-z0-9_]+$/.test(id))).toEqual([]);
  });

  it('describes every response', () => {
    const undescribed = operations().flatMap(([name, operation]) =>
      Object.entries(operation.responses as Record<string, Json>)
        .filter(([, response]) => !response.description)
        .map(([status]) => `${name} ${status}`),
    );
    expect(undescribed).toEqual([]);
  });

  it('documents every error as RFC 9457 problem details, or RFC 6749 on the OAuth endpoints, with an example of its status', () => {
    const problemSchemas = [
      '#/components/schemas/ProblemDetailsDto',
      '#/components/schemas/MfaRequiredDto',
    ];
    const wrong: string[] = [];
    let checked = 0;
    for (const [name, operation] of operations()) {
      // Marked by @OAuthEndpoint(): the token, revocation and introspection endpoints.
      const oauth = operation['x-oauth-errors'] === true;
      for (const [status, response] of Object.entries(
        operation.responses as Record<string, Json>,
      )) {
        if (Number(status) < 400) continue;
        checked++;
        const content = (response.content ?? {}) as Record<string, Json>;
        const where = `${name} ${status}`;
        if (oauth) {
          const schema = JSON.stringify(content['application/json']?.schema);
          if (!schema?.includes('#/components/schemas/OAuthErrorDto'))
            wrong.push(`${where}: not an RFC 6749 error (${schema})`);
          continue;
        }
        const media = content['application/problem+json'];
        const schema = JSON.stringify(media?.schema ?? null);
        if (Object.keys(content).length !== 1 || !media)
          wrong.push(`${where}: served as ${Object.keys(content).join(', ')}`);
        else if (!problemSchemas.some((ref) => schema.includes(ref)))
          wrong.push(`${where}: schema ${schema}`);
        else if ((media.example as Json | undefined)?.status !== Number(status))
          wrong.push(`${where}: example ${JSON.stringify(media.example)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(60);
  });
});
