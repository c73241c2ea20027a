/** Says out loud which service-backed suites this run skips, and how to switch them on. */
export default function globalSetup(): void {
  const skipped: string[] = [];
  if (!process.env.TEST_DATABASE_URL) {
    skipped.push(
      'PostgreSQL e2e suite SKIPPED: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run it',
    );
  }
  if (!process.env.TEST_REDIS_URL) {
    skipped.push(
      'Redis suites (two instances sharing Redis) SKIPPED: set TEST_REDIS_URL=redis://127.0.0.1:6379 to run them',
    );
  }
  if (process.env.WARDEN_TEST_BROWSER === 'off') {
    skipped.push(
      'Browser suites (test/browser, Chromium) SKIPPED: WARDEN_TEST_BROWSER=off (CI runs them on Node 24 only)',
    );
  }
  for (const line of skipped) console.warn(`\n[warden] ${line}`);
}
