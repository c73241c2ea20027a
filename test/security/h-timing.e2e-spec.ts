import request from 'supertest';
import { appAndUserForSuite } from '../support/suite.js';

const ROUNDS = 30;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/**
 * Interleaves requests for an unknown user and for a known user with a wrong password, and
 * compares median latencies. With the production argon2 settings, a missing dummy verification
 * would make unknown users ~25 ms faster, far outside the bounds asserted here.
 */
describe('H. Timing and enumeration', () => {
  const { t, user } = appAndUserForSuite({
    ARGON2_MEMORY_KIB: '19456',
    ARGON2_TIME_COST: '2',
  });

  async function timings(
    send: (username: string) => request.Test,
  ): Promise<{ known: number; unknown: number }> {
    for (let i = 0; i < 3; i++) {
      await send(user.username);
      await send('nobody_warm');
    }
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      let start = performance.now();
      await send(user.username);
      known.push(performance.now() - start);
      start = performance.now();
      await send(`nobody_${i}`);
      unknown.push(performance.now() - start);
    }
    return { known: median(known), unknown: median(unknown) };
  }

  function expectClose({
    known,
    unknown,
  }: {
    known: number;
    unknown: number;
  }): void {
    const difference = Math.abs(known - unknown);
    expect(
      difference < 50 || difference / Math.max(known, unknown) < 0.25,
      `known ${known} ms, unknown ${unknown} ms`,
    ).toBe(true);
    // The dummy verification really runs: an unknown user costs an argon2 verification too.
    expect(unknown).toBeGreaterThan(known * 0.5);
  }

  it('TIME-01: /auth/login takes as long for an unknown user as for a wrong password', async () => {
    expectClose(
      await timings((username) =>
        request(t.server)
          .post('/auth/login')
          .send({ username, password: 'wrong password' })
          .expect(401),
      ),
    );
  });

  it('TIME-02: /auth/token takes as long for an unknown user as for a wrong password', async () => {
    expectClose(
      await timings((username) =>
        request(t.server)
          .post('/auth/token')
          .type('form')
          .send({
            grant_type: 'password',
            username,
            password: 'wrong password',
          })
          .expect(400),
      ),
    );
  });
});
