import { HttpException, Logger } from '@nestjs/common';
import { BACKGROUND_WORK_LIMIT, BackgroundWork } from './background-work.js';

describe('BackgroundWork', () => {
  it(`runs up to ${BACKGROUND_WORK_LIMIT} tasks at once, refuses the next with a 503, and takes work again as tasks end`, async () => {
    const work = new BackgroundWork();
    const releases: (() => void)[] = [];
    const started = vi.fn();
    for (let i = 0; i < BACKGROUND_WORK_LIMIT; i++) {
      work.run('test', () => {
        started();
        return new Promise<void>((release) => releases.push(release));
      });
    }
    expect(started).toHaveBeenCalledTimes(BACKGROUND_WORK_LIMIT);

    const refused = (() => {
      try {
        work.run('test', () => Promise.resolve(started()));
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(HttpException);
    expect((refused as HttpException).getStatus()).toBe(503);
    expect(started).toHaveBeenCalledTimes(BACKGROUND_WORK_LIMIT);

    releases[0]();
    await new Promise((resolve) => setImmediate(resolve));
    work.run('test', () => Promise.resolve(started()));
    expect(started).toHaveBeenCalledTimes(BACKGROUND_WORK_LIMIT + 1);

    for (const release of releases) release();
    await work.beforeApplicationShutdown();
  });

  it('logs a failed task and frees its place', async () => {
    const log = vi
      .spyOn(Logger.prototype, 'error')
      .mockImplementation(() => {});
    const work = new BackgroundWork();
    work.run('doomed', () => Promise.reject(new Error('boom')));
    await work.beforeApplicationShutdown();
    expect(log).toHaveBeenCalledWith('doomed failed: boom');
    log.mockRestore();
    // Nothing left running: shutdown returned, and the limit is whole again.
    for (let i = 0; i < BACKGROUND_WORK_LIMIT; i++)
      work.run('test', () => Promise.resolve());
    await work.beforeApplicationShutdown();
  });
});
