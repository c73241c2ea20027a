import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { serverForSuite } from '../support/server-process.js';

/**
 * Clients that hang up mid-request must not hold shutdown hostage: after each kind of abandoned
 * request, SIGTERM still drains and exits 0 (exit 1 means the 10 s drain gave up waiting for a
 * request that would never finish).
 */
describe('Shutdown after clients hung up (node dist/main.js)', () => {
  const suite = serverForSuite({
    // Slow hashing, one at a time: logins are still running, or queued, when clients give up.
    ARGON2_MEMORY_KIB: '65536',
    ARGON2_TIME_COST: '3',
    PASSWORD_HASH_CONCURRENCY: '1',
  });

  const login = (signal: AbortSignal) =>
    fetch(`${suite.server.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody', password: 'wrong password' }),
      signal,
    }).catch(() => undefined);

  /** Sends headers and half a body, then hangs up. */
  function abandonedUpload(): Promise<void> {
    return new Promise((resolve) => {
      const socket = connect(suite.server.port, '127.0.0.1', () => {
        socket.write(
          'POST /todos HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"title":"',
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on('error', () => resolve());
    });
  }

  it('exits 0 after abandoned logins (running and queued for argon2) and an abandoned upload', async () => {
    // Logins abandoned while argon2 runs, and others abandoned while queued behind it.
    await Promise.all(
      Array.from({ length: 6 }, () => login(AbortSignal.timeout(30))),
    );
    await abandonedUpload();
    // One request that completes normally, to show the server is still serving.
    const health = await fetch(`${suite.server.url}/health/live`);
    expect(health.status).toBe(200);
    // Let the abandoned logins' hashing finish, as it would in a real process.
    await sleep(500);
    expect(await suite.server.stop('SIGTERM')).toBe(0);
    expect(suite.server.output()).not.toContain('Shutdown took too long');
  });
});
