import { Logger } from '@nestjs/common';
import { CredentialLifecycle } from '../credentials/credential-lifecycle.service.js';
import type { DataSource } from 'typeorm';
import { configWith } from '../../test/support/config.js';
import {
  openSpecDatabase,
  saveSpecUser,
  specDatabaseKinds,
} from '../../test/support/database.js';
import { InvalidationBus } from '../cache/invalidation-bus.js';
import { RedisConnections } from '../redis/redis.module.js';
import { User } from '../users/user.entity.js';
import { RefreshToken } from './refresh-token.entity.js';
import { Session } from './session.entity.js';
import { SessionsService } from './sessions.service.js';

const CLIENT = { ip: '192.0.2.1', userAgent: 'spec' };

/** Refresh rotation on a real database: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
describe.each(specDatabaseKinds())('SessionsService.rotate on %s', (kind) => {
  let close: () => Promise<void>;
  let dataSource: DataSource;
  let sessions: SessionsService;
  let user: User;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    ({ dataSource, close } = await openSpecDatabase(kind));
    const config = configWith({
      REFRESH_TOKEN_TTL: 14 * 86_400,
      SESSION_ABSOLUTE_TTL: 30 * 86_400,
      REDIS_KEY_PREFIX: 'warden-spec:',
    });
    sessions = new SessionsService(
      dataSource.getRepository(Session),
      dataSource.getRepository(RefreshToken),
      new InvalidationBus(new RedisConnections(config), config),
      config,
      new CredentialLifecycle(),
    );
  });
  afterAll(() => close?.());
  beforeEach(async () => {
    user = await saveSpecUser(dataSource);
  });

  const start = (scope = 'account todos:read todos:write') =>
    sessions.start(user, scope, CLIENT, { amr: ['pwd'], time: new Date() });

  it('exchanges a refresh token for a new one, once', async () => {
    const { session, refreshToken } = await start();
    const rotation = await sessions.rotate(refreshToken, CLIENT, undefined);
    expect(rotation).toMatchObject({ ok: true, session: { id: session.id } });
    if (!rotation.ok) return;
    expect(rotation.refreshToken).not.toBe(refreshToken);
    expect(rotation.scopes).toEqual(['account', 'todos:read', 'todos:write']);
    expect(await sessions.isActive(session.id, user.id)).toBe(true);
  });

  it('ends the session when a rotated token comes back (reuse), and its successor dies with it', async () => {
    const { session, refreshToken } = await start();
    const first = await sessions.rotate(refreshToken, CLIENT, undefined);
    expect(await sessions.rotate(refreshToken, CLIENT, undefined)).toEqual({
      ok: false,
      reason: 'reused',
    });
    expect(await sessions.isActive(session.id, user.id)).toBe(false);
    if (!first.ok) throw new Error('first rotation failed');
    expect(
      await sessions.rotate(first.refreshToken, CLIENT, undefined),
    ).toEqual({
      ok: false,
      reason: 'ended',
    });
  });

  it('of parallel rotations of one token exactly one wins, and the rest end the session', async () => {
    const { session, refreshToken } = await start();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        sessions.rotate(refreshToken, CLIENT, undefined),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    // A loser that read the token before the winner's write, and the session after another
    // loser had ended it, sees `ended`; either way it gets nothing, and at least one saw reuse.
    const reasons = results.flatMap((result) =>
      result.ok ? [] : [result.reason],
    );
    expect(reasons).toHaveLength(7);
    expect(reasons).toContain('reused');
    for (const reason of reasons) expect(['reused', 'ended']).toContain(reason);
    expect(await sessions.isActive(session.id, user.id)).toBe(false);
  });

  it('narrows scopes on request, and refuses a wider one without consuming the token', async () => {
    const { refreshToken } = await start('account todos:read');
    expect(await sessions.rotate(refreshToken, CLIENT, 'todos:write')).toEqual({
      ok: false,
      reason: 'invalid-scope',
    });
    const narrowed = await sessions.rotate(refreshToken, CLIENT, 'todos:read');
    expect(narrowed).toMatchObject({ ok: true, scopes: ['todos:read'] });
  });

  it("grants only what the user's roles still allow", async () => {
    const { refreshToken } = await start('account users:admin');
    expect(
      await sessions.rotate(refreshToken, CLIENT, undefined),
    ).toMatchObject({
      ok: true,
      scopes: ['account'],
    });
  });

  it('refuses a disabled account and an unknown token', async () => {
    const { refreshToken } = await start();
    await dataSource
      .getRepository(User)
      .update({ id: user.id }, { disabled: true });
    expect(await sessions.rotate(refreshToken, CLIENT, undefined)).toEqual({
      ok: false,
      reason: 'user-inactive',
    });
    expect(await sessions.rotate('no-such-token', CLIENT, undefined)).toEqual({
      ok: false,
      reason: 'unknown',
    });
  });

  it('refuses a token left unused past the idle window', async () => {
    const { session, refreshToken } = await start();
    await dataSource
      .getRepository(Session)
      .update(
        { id: session.id },
        { idleExpiresAt: new Date(Date.now() - 1000) },
      );
    expect(await sessions.rotate(refreshToken, CLIENT, undefined)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });
});
