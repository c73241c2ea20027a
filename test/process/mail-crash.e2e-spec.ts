import {
  createSharedTestDatabase,
  testDatabaseKind,
  type TestDatabase,
} from '../support/database.js';
import {
  freePort,
  startServer,
  type ServerProcess,
} from '../support/server-process.js';
import {
  linkToken,
  relaySettings,
  sentTo,
  startSmtp,
  type TestSmtp,
} from '../support/smtp.js';

/**
 * The outbox's promise: a mail committed with its change survives the process. The server is
 * killed with SIGKILL (no shutdown hook runs) after the signup committed and before the mail
 * could go out (the relay is down), and a new process on the same database delivers it.
 */
describe(`A crash between commit and send (${testDatabaseKind()})`, () => {
  let database: TestDatabase;
  let server: ServerProcess | undefined;
  let smtp: TestSmtp | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await smtp?.close();
    await database?.drop();
  });

  it('delivers the mail after kill -9 and a restart', async () => {
    database = await createSharedTestDatabase();
    const { url } = database;
    const port = await freePort();
    const env = {
      DATABASE_URL: url,
      ...relaySettings(port),
      OUTBOX_RETRY_DELAY: '1',
    };

    server = await startServer(env);
    const email = `crash-${Date.now()}@example.com`;
    const signup = await fetch(`${server.url}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery staple' }),
    });
    expect(signup.status).toBe(201);
    // The first attempt has failed and the row is due again: committed, not sent. (A process
    // killed while it holds a claim leaves the mail to be retried when the claim lapses, two
    // minutes later; that is the outbox's lease, not what this test waits for.)
    expect(await server.waitForOutput(/attempt 1\/\d+ failed/)).toMatch(
      /attempt 1\/\d+ failed/,
    );
    expect(await server.stop('SIGKILL')).toBeNull();

    smtp = await startSmtp(port);
    server = await startServer(env);
    const mail = await smtp
      .waitFor(sentTo(email), 20_000)
      .catch((error: Error) => {
        throw new Error(
          `${error.message}; server output:\n${server?.output()}`,
        );
      });
    const verified = await fetch(`${server.url}/auth/email/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: linkToken(mail),
        password: 'correct horse battery staple',
      }),
    });
    expect(verified.status).toBe(204);
    expect(smtp.received.filter(sentTo(email))).toHaveLength(1);
  });
});
