import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { TestApp } from './test-app.js';

export const PASSWORD = 'correct horse battery staple';

export interface TestUser {
  id: string;
  username: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken?: string;
}

let counter = 0;

/** Signs up a fresh user through the API and returns its credentials and first tokens. */
export async function signUp(
  testApp: TestApp,
  overrides: Partial<{
    username: string;
    email: string;
    password: string;
    fullName: string;
  }> = {},
): Promise<TestUser> {
  const unique = `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;
  const body = {
    username: `user_${unique}`,
    email: `user_${unique}@example.com`,
    password: PASSWORD,
    ...overrides,
  };
  const response = await request(testApp.server)
    .post('/auth/signup')
    .send(body);
  if (response.status !== 201) {
    throw new Error(
      `signup failed: ${response.status} ${JSON.stringify(response.body)}`,
    );
  }
  return {
    id: response.body.user.id,
    username: body.username,
    email: body.email,
    password: body.password,
    accessToken: response.body.access_token,
    refreshToken: response.body.refresh_token,
  };
}

/** `POST /auth/token` with a form body. */
export function tokenRequest(
  testApp: TestApp,
  form: Record<string, string | string[]>,
) {
  return request(testApp.server).post('/auth/token').type('form').send(form);
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
