import { signUp, type TestUser } from './api.js';
import { startTestApp, type TestApp } from './test-app.js';

/**
 * A stand-in for a value that exists only once `beforeAll` has run: every property read is the
 * value's, so a suite can name it at the top of a `describe` block and use it in its tests.
 */
function late<T extends object>(
  what: string,
): { value: T; set(value: T): void } {
  let current: T | undefined;
  const target = (): T => {
    if (current === undefined)
      throw new Error(`${what} is used before the suite's beforeAll has run`);
    return current;
  };
  const value = new Proxy({} as T, {
    get: (_, property) => {
      const resolved = target();
      const field = Reflect.get(resolved, property) as unknown;
      return typeof field === 'function' ? field.bind(resolved) : field;
    },
    has: (_, property) => Reflect.has(target(), property),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, property) =>
      Reflect.getOwnPropertyDescriptor(target(), property),
  });
  return { value, set: (next) => (current = next) };
}

/**
 * The application for the tests of one `describe` block (or file): started before them with the
 * test settings plus `env`, closed after them.
 */
export function appForSuite(env: Record<string, string> = {}): TestApp {
  const app = late<TestApp>('the test application');
  let started: TestApp | undefined;
  beforeAll(async () => {
    started = await startTestApp(env);
    app.set(started);
  });
  afterAll(() => started?.close());
  return app.value;
}

/** `appForSuite`, and a user signed up on it before the tests. */
export function appAndUserForSuite(env: Record<string, string> = {}): {
  t: TestApp;
  user: TestUser;
} {
  const t = appForSuite(env);
  const user = late<TestUser>('the suite user');
  beforeAll(async () => user.set(await signUp(t)));
  return { t, user: user.value };
}
