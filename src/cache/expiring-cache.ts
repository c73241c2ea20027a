/**
 * A small in-process cache with a time-to-live, a size bound and explicit invalidation.
 *
 * A load that started before an invalidation is not stored when it finishes (the generation
 * counter moved on), so a value read from the database just before a logout committed cannot
 * be cached after the logout's invalidation arrived.
 */
export class ExpiringCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  async get(key: K, load: () => Promise<V>, enabled = true): Promise<V> {
    if (enabled) {
      const hit = this.entries.get(key);
      if (hit && hit.expiresAt > Date.now()) return hit.value;
    }
    const generation = this.generation;
    const value = await load();
    if (enabled && generation === this.generation) this.set(key, value);
    return value;
  }

  invalidate(keys: readonly K[]): void {
    this.generation++;
    for (const key of keys) this.entries.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  private set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }
}
