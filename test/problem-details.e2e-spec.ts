import request from 'supertest';
import { appAndUserForSuite } from './support/suite.js';
import { PROBLEM_TYPES } from '../src/problems/problem-types.js';
import { bearer } from './support/api.js';

describe('RFC 9457 problem details', () => {
  const { t, user } = appAndUserForSuite();

  it('serves a page at every type URI, naming the kind and what to do', async () => {
    for (const [code, kind] of Object.entries(PROBLEM_TYPES)) {
      const page = await request(t.server).get(`/problems/${code}`).expect(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.text).toContain(`<code>${code}</code>`);
      expect(page.text).toContain(kind.title.replaceAll("'", '&#39;'));
    }
    const unknown = await request(t.server)
      .get('/problems/constructor')
      .expect(404);
    expect(unknown.body).toMatchObject({ type: 'about:blank', status: 404 });
  });

  it('answers a body with several bad fields with each one at its RFC 6901 pointer', async () => {
    const response = await request(t.server)
      .post('/todos')
      .set(bearer(user.accessToken))
      .send({ title: 42, done: 'yes', owner: 'me' })
      .expect(400);
    expect(response.headers['content-type']).toMatch(
      /^application\/problem\+json/,
    );
    expect(response.body).toMatchObject({
      type: 'http://localhost:3000/problems/validation_failed',
      title: PROBLEM_TYPES.validation_failed.title,
      status: 400,
      error: 'validation_failed',
    });
    const pointers = (response.body.errors as { pointer: string }[]).map(
      (field) => field.pointer,
    );
    expect(new Set(pointers)).toEqual(new Set(['/title', '/done', '/owner']));
  });

  it('keeps RFC 6749 bodies on the token endpoint, even for errors raised before it runs', async () => {
    const response = await request(t.server)
      .post('/auth/token')
      .set('Content-Type', 'application/json')
      .send('{"grant_type":')
      .expect(400);
    expect(response.headers['content-type']).toBe(
      'application/json; charset=utf-8',
    );
    expect(response.body).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
    });
  });
});
