import { defineConfig } from 'vitest/config';

const postgres = process.env.TEST_DATABASE_URL;

/**
 * In-process e2e: the real AppModule over HTTP, booted inside the test worker. These files share
 * a worker's module cache (`isolate: false`): importing Nest, TypeORM and the application costs
 * ~2 s, booting it again ~150 ms. `startTestApp` reads the configuration per application and
 * restores the environment on close, so files cannot see each other's settings.
 */
const inProcess = [
  'test/*.e2e-spec.ts',
  'test/security/**/*.e2e-spec.ts',
  // The example apps run against the real Warden, like the suites above.
  'examples/*/test/*.e2e-spec.ts',
];
/**
 * Slow on purpose: a property-based fuzzer, real server processes (they run the build, which the
 * `pretest` script makes), a real browser, and suites that wait for the clock (expiry windows) or
 * measure it (response times, which a busy neighbour in the worker pool would distort). `npm test`
 * runs them; `npm run test:fast` does not.
 */
const slow = [
  'test/fuzz.e2e-spec.ts',
  'test/security/e-session-expiry.e2e-spec.ts',
  'test/security/h-timing.e2e-spec.ts',
  'test/security/l-logging.e2e-spec.ts',
  'test/process/**/*.e2e-spec.ts',
  'test/browser/**/*.e2e-spec.ts',
];

/**
 * `WARDEN_TEST_BROWSER=off` leaves out the Chromium suites: CI runs them on Node 24 only (the
 * brief allows it), since they test the pages and the browser, not the runtime, and take the
 * longest. test/support/global-setup.ts says when they are left out.
 */
const browserSuites = 'test/browser/**/*.e2e-spec.ts';
const withBrowser = process.env.WARDEN_TEST_BROWSER !== 'off';

const databases = [
  { name: 'sqlite', env: { WARDEN_TEST_DB: 'sqlite' } },
  // The same suites against PostgreSQL, when there is one to talk to (CI sets it).
  ...(postgres
    ? [{ name: 'postgres', env: { WARDEN_TEST_DB: 'postgres' } }]
    : []),
];

export default defineConfig({
  test: {
    globals: true,
    // Removes each test file's scratch folders (test/support/scratch.ts) after it.
    setupFiles: ['test/support/after-each-file.ts'],
    // Sized for a loaded 2-core machine: the slowest single test (the fuzz test) takes ~10 s on
    // an idle one, and CI has been seen at a load of 8-10. Speed is measured by `npm run bench`,
    // never by a timeout.
    hookTimeout: 120_000,
    testTimeout: 60_000,
    projects: [
      {
        extends: true as const,
        // Unit files share a worker's module cache as well: none mocks a module or keeps state
        // between files, and importing Nest once per worker halves the project's time.
        test: { name: 'unit', include: ['src/**/*.spec.ts'], isolate: false },
      },
      ...databases.flatMap((database) => [
        {
          extends: true as const,
          test: {
            name: `e2e:${database.name}`,
            include: inProcess,
            exclude: slow,
            env: database.env,
            isolate: false,
            // Says once per run which service-backed suites are skipped (and why).
            ...(database.name === 'sqlite'
              ? { globalSetup: ['test/support/global-setup.ts'] }
              : {}),
          },
        },
        {
          extends: true as const,
          test: {
            name: `slow:${database.name}`,
            include: slow,
            exclude: withBrowser ? [] : [browserSuites],
            env: database.env,
          },
        },
      ]),
    ],
  },
});
