import { setTimeout as sleep } from 'node:timers/promises';

export interface UntilOptions {
  /** Gives up after this long (30 s: time for a loaded 2-core machine). */
  timeoutMs?: number;
  /** Reads again after this long. */
  intervalMs?: number;
  /** What is awaited, for the error when it does not come. */
  what?: string;
}

/**
 * Reads until `done` holds, and returns that value: for state that settles later (a mail sent
 * by a background sender, a server recovering from an outage, a line in a log). Throws, naming
 * `what` and the last value read, when it does not come in time.
 */
export async function until<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  {
    timeoutMs = 30_000,
    intervalMs = 100,
    what = 'condition',
  }: UntilOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(
        `${what} not met within ${timeoutMs} ms (last: ${describe(value)})`,
      );
    await sleep(intervalMs);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(-200));
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
