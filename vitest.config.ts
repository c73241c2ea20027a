import { defineConfig } from 'vitest/config';

const e2e = ['test/**/*.e2e-spec.ts'];
const postgres = process.env.TEST_DATABASE_URL;

export default defineConfig({
  test: {
    globals: true,
    // Sized for a loaded 2-core machine: the slowest single test (the fuzz test) takes ~10 s on
    // an idle one, and CI has been seen at a load of 8-10. Speed is measured by `npm run bench`,
    // never by a timeout.
    hookTimeout: 120_000,
    testTimeout: 60_000,
    projects: [
      {
        extends: true as const,
        test: { name: 'unit', include: ['src/**/*.spec.ts'] },
      },
      {
        extends: true as const,
        test: {
          name: 'e2e:sqlite',
          include: e2e,
          env: { WARDEN_TEST_DB: 'sqlite' },
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      // The same e2e suite against PostgreSQL, when there is one to talk to (CI sets it).
      ...(postgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'e2e:postgres',
                include: e2e,
                env: { WARDEN_TEST_DB: 'postgres' },
              },
            },
          ]
        : []),
    ],
  },
});
