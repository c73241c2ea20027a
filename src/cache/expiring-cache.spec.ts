import { ExpiringCache } from './expiring-cache.js';

describe('ExpiringCache', () => {
  afterEach(() => vi.useRealTimers());

  it('loads once and serves from memory until the entry expires', async () => {
    vi.useFakeTimers();
    const cache = new ExpiringCache<string, number>(1000, 10);
    const load = vi.fn(() => Promise.resolve(1));
    await cache.get('a', load);
    await cache.get('a', load);
    expect(load).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1001);
    await cache.get('a', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('does not store a load that an invalidation overtook', async () => {
    const cache = new ExpiringCache<string, string>(60_000, 10);
    let finish: (value: string) => void = () => undefined;
    const slow = cache.get(
      'session',
      () => new Promise<string>((resolve) => (finish = resolve)),
    );
    cache.invalidate(['session']);
    finish('active (read before the logout)');
    await slow;
    expect(await cache.get('session', () => Promise.resolve('ended'))).toBe(
      'ended',
    );
  });

  it('reads through, storing nothing, while disabled', async () => {
    const cache = new ExpiringCache<string, number>(60_000, 10);
    await cache.get('a', () => Promise.resolve(1), false);
    expect(await cache.get('a', () => Promise.resolve(2))).toBe(2);
  });

  it('holds at most maxEntries, dropping the oldest', async () => {
    const cache = new ExpiringCache<number, number>(60_000, 2);
    for (const key of [1, 2, 3])
      await cache.get(key, () => Promise.resolve(key));
    const reload = vi.fn((key: number) => Promise.resolve(key * 10));
    expect(await cache.get(1, () => reload(1))).toBe(10);
    expect(await cache.get(3, () => reload(3))).toBe(3);
  });

  it('forgets everything on clear', async () => {
    const cache = new ExpiringCache<string, number>(60_000, 10);
    await cache.get('a', () => Promise.resolve(1));
    cache.clear();
    expect(await cache.get('a', () => Promise.resolve(2))).toBe(2);
  });
});
