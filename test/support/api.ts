import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { mailInOutbox } from './mailbox.js';
import { linkToken } from './smtp.js';
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

/**
 * Proves the user's address the way its owner does: the verification link mailed at signup
 * (read from the server's MAIL_OUTBOX_DIR; the app must run without SMTP_URL) and the password.
 */
export async function verifyEmail(
  testApp: TestApp,
  user: TestUser,
): Promise<void> {
  const mail = await mailInOutbox(
    testApp.mailDirectory,
    user.email,
    /Confirm your email address/,
  );
  await request(testApp.server)
    .post('/auth/email/verify')
    .send({ token: linkToken(mail), password: user.password })
    .expect(204);
}

/**
 * `signUp` and then `verifyEmail`: an account whose address is proven, which may add passkeys,
 * an authenticator and recovery codes.
 */
export async function signUpVerified(
  testApp: TestApp,
  overrides: Parameters<typeof signUp>[1] = {},
): Promise<TestUser> {
  const user = await signUp(testApp, overrides);
  await verifyEmail(testApp, user);
  return user;
}

/** `POST /auth/token` with a form body. */
export function tokenRequest(
  testApp: TestApp,
  form: Record<string, string | string[]>,
) {
  return request(testApp.server).post('/auth/token').type('form').send(form);
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * Gives `user` the admin role (there is no API for the first admin: `npm run user:create
 * -- --admin` is the supported way) and signs in again, so the token carries `users:admin`.
 */
export async function makeAdmin(
  testApp: TestApp,
  user: TestUser,
): Promise<TestUser> {
  await testApp.dataSource
    .createQueryBuilder()
    .update('users')
    .set({ roles: 'user,admin' })
    .where('id = :id', { id: user.id })
    .execute();
  const login = await request(testApp.server)
    .post('/auth/login')
    .send({ username: user.username, password: user.password })
    .expect(200);
  return {
    ...user,
    accessToken: login.body.access_token,
    refreshToken: login.body.refresh_token,
  };
}

/** Disables a user the supported way: an admin's PATCH /users/:id. */
export async function disableUser(
  testApp: TestApp,
  admin: TestUser,
  userId: string,
): Promise<void> {
  await request(testApp.server)
    .patch(`/users/${userId}`)
    .set(bearer(admin.accessToken))
    .send({ disabled: true })
    .expect(200);
}

/**
 * Asserts an error answer by its status and its code: the `error` of problem details (or of an
 * RFC 6749 body), or for problem details of type `about:blank`, their title (the status's name,
 * `Conflict`), so that tests do not depend on the rest of the body.
 */
export function expectError(
  response: { status: number; body: unknown },
  status: number,
  code: string,
): void {
  const body = (response.body ?? {}) as {
    error?: unknown;
    type?: unknown;
    title?: unknown;
  };
  expect(
    {
      status: response.status,
      error:
        body.error ?? (body.type === 'about:blank' ? body.title : undefined),
    },
    JSON.stringify(response.body),
  ).toEqual({ status, error: code });
}
