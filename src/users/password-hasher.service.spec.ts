import { configWith } from '../../test/support/config.js';
import { PasswordHasher } from './password-hasher.service.js';

function hasherWith(concurrency: number): PasswordHasher {
  return new PasswordHasher(
    configWith({
      ARGON2_MEMORY_KIB: 1024,
      ARGON2_TIME_COST: 1,
      ARGON2_PARALLELISM: 1,
      PASSWORD_HASH_CONCURRENCY: concurrency,
    }),
  );
}

describe('PasswordHasher', () => {
  it('runs no more hashes at once than PASSWORD_HASH_CONCURRENCY; the rest wait and all finish', async () => {
    const hasher = hasherWith(2);
    const hashes = Array.from({ length: 5 }, (_, i) =>
      hasher.hash(`password ${i}`),
    );
    expect(hasher.load).toEqual({ running: 2, waiting: 3 });
    const done = await Promise.all(hashes);
    expect(done.every((hash) => hash.startsWith('$argon2id$'))).toBe(true);
    expect(hasher.load).toEqual({ running: 0, waiting: 0 });
  });

  it('counts verifications against the same limit, and a failed one frees its slot', async () => {
    const hasher = hasherWith(1);
    const hash = await hasher.hash('right password');
    const checks = [
      hasher.verify(hash, 'right password'),
      hasher.verify('not an argon2 hash', 'x'),
      hasher.verify(hash, 'wrong password'),
    ];
    expect(hasher.load).toEqual({ running: 1, waiting: 2 });
    expect(await Promise.all(checks)).toEqual([true, false, false]);
    expect(hasher.load).toEqual({ running: 0, waiting: 0 });
  });
});
