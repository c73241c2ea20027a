import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { testDatabaseKind } from '../support/database.js';
import { serverForSuite } from '../support/server-process.js';

const REQUEST_TIMEOUT_S = 2;
const MAX_CONNECTIONS = 20;

interface SlowClient {
  socket: Socket;
  closed: Promise<string>;
}

/**
 * Clients that hold connections open without finishing a request: a body promised by
 * Content-Length and trickled a byte at a time, headers that never end, a connection that says
 * nothing. Against the built server, as deployed: each is cut off at REQUEST_TIMEOUT, at most
 * MAX_CONNECTIONS are open at once, and the server serves again and shuts down cleanly after.
 */
// Connections and timeouts are the HTTP server's; the database plays no part: once, in the
// SQLite project, is enough.
describe.skipIf(testDatabaseKind() === 'postgres')(
  'Slow clients and the connection cap (node dist/main.js)',
  () => {
    const suite = serverForSuite({
      REQUEST_TIMEOUT: String(REQUEST_TIMEOUT_S),
      MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    });

    function slowClient(start: string, trickle: string | null): SlowClient {
      const socket = connect(suite.server.port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('error', () => {});
      const closed = new Promise<string>((resolve) =>
        socket.once('close', () => resolve(received)),
      );
      socket.once('connect', () => {
        socket.write(start);
        if (trickle === null) return;
        const timer = setInterval(() => {
          if (socket.writable) socket.write(trickle);
        }, 300);
        socket.once('close', () => clearInterval(timer));
      });
      return { socket, closed };
    }

    const slowBody = () =>
      slowClient(
        'POST /auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{',
        ' ',
      );
    const slowHeaders = () =>
      slowClient(
        'GET /health/live HTTP/1.1\r\nHost: localhost\r\n',
        'X-a: b\r\n',
      );
    const silent = () => slowClient('', null);

    /** Whether a new connection (never a pooled one) gets an answer to a plain request. */
    function answers(): Promise<boolean> {
      return new Promise((resolve) => {
        const socket = connect(suite.server.port, '127.0.0.1');
        let received = '';
        const done = (ok: boolean) => {
          clearTimeout(timer);
          socket.destroy();
          resolve(ok);
        };
        const timer = setTimeout(() => done(false), 3000);
        socket.on('error', () => done(false));
        socket.on('close', () => done(received.startsWith('HTTP/1.1 200')));
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.once('connect', () =>
          socket.write(
            'GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
          ),
        );
      });
    }

    it(`cuts off trickled bodies, endless headers and silent connections after REQUEST_TIMEOUT`, async () => {
      const started = Date.now();
      const clients = [
        ...Array.from({ length: 4 }, slowBody),
        ...Array.from({ length: 4 }, slowHeaders),
        ...Array.from({ length: 4 }, silent),
      ];
      const outcomes = await Promise.all(
        clients.map(({ closed }) =>
          Promise.race([closed, sleep(15_000).then(() => 'still open')]),
        ),
      );
      const elapsed = (Date.now() - started) / 1000;
      expect(outcomes).not.toContain('still open');
      // Node answers 408 where a request had begun; a silent connection is simply closed.
      for (const outcome of outcomes.slice(0, 8))
        expect(outcome === '' || outcome.startsWith('HTTP/1.1 408')).toBe(true);
      expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_S - 0.5);
      expect(await answers()).toBe(true);
    });

    it('refuses connections past MAX_CONNECTIONS, and serves again once the slow ones are cut off', async () => {
      const clients = Array.from({ length: MAX_CONNECTIONS }, slowBody);
      await Promise.all(
        clients.map(
          ({ socket }) =>
            new Promise((resolve) => socket.once('connect', resolve)),
        ),
      );
      await sleep(200);
      // Every slot is held: a new connection is closed at once instead of exhausting descriptors.
      expect(await answers()).toBe(false);
      await Promise.all(clients.map(({ closed }) => closed));
      expect(await answers()).toBe(true);
      // The process still logs in and still shuts down cleanly: nothing cut off leaked.
      const login = await fetch(`${suite.server.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: 'nobody',
          password: 'wrong password',
        }),
      });
      expect(login.status).toBe(401);
      expect(await suite.server.stop('SIGTERM')).toBe(0);
    });
  },
);
