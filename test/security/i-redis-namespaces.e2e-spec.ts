import { Redis } from 'ioredis';
import request from 'supertest';
import { bearer, signUp } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Skipped without TEST_REDIS_URL; test/support/global-setup.ts says so at the start of the run.
const redisUrl = process.env.TEST_REDIS_URL;

/**
 * Two deployments sharing one Redis through REDIS_KEY_PREFIX: this instance publishes and
 * listens only on its own channel, so another deployment's invalidations never reach it.
 */
describe.skipIf(!redisUrl)(
  'REDIS_KEY_PREFIX namespaces the pub/sub channel',
  () => {
    const prefix = `warden-ns-${Date.now().toString(36)}:`;
    let t: TestApp;
    let spy: Redis;
    // Every invalidation on any deployment's channel: other test files publish on theirs too,
    // so each message is kept with its channel and told apart by the session it names.
    const heard: { channel: string; message: string }[] = [];
    beforeAll(async () => {
      spy = new Redis(redisUrl!);
      await spy.psubscribe('*invalidate');
      spy.on('pmessage', (_pattern, channel: string, message: string) =>
        heard.push({ channel, message }),
      );
      t = await startTestApp({
        REDIS_URL: redisUrl!,
        REDIS_KEY_PREFIX: prefix,
      });
    });
    afterAll(async () => {
      await t?.close();
      spy?.disconnect();
    });

    it('publishes on its own channel only, and subscribes to it', async () => {
      const user = await signUp(t);
      const sid = JSON.parse(
        Buffer.from(user.accessToken.split('.')[1], 'base64url').toString(),
      ).sid as string;
      await request(t.server)
        .post('/auth/logout')
        .set(bearer(user.accessToken))
        .send({})
        .expect(204);
      const ours = () =>
        heard
          .filter(({ message }) => message.includes(sid))
          .map(({ channel }) => channel);
      const deadline = Date.now() + 5000;
      while (ours().length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(ours()).toEqual([`${prefix}invalidate`]);
      const channels = (await spy
        .duplicate()
        .pubsub('CHANNELS', '*invalidate')) as string[];
      expect(channels).toContain(`${prefix}invalidate`);
    });
  },
);
