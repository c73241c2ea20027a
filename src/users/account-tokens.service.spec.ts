import { Logger } from '@nestjs/common';
import { CredentialLifecycle } from '../credentials/credential-lifecycle.service.js';
import type { DataSource } from 'typeorm';
import {
  openSpecDatabase,
  overlappingTransactions,
  saveSpecUser,
  specDatabaseKinds,
} from '../../test/support/database.js';
import { AccountToken } from './account-token.entity.js';
import { AccountTokensService } from './account-tokens.service.js';
import type { User } from './user.entity.js';

/** Emailed-link tokens on a real database: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
describe.each(specDatabaseKinds())('AccountTokensService on %s', (kind) => {
  let close: () => Promise<void>;
  let dataSource: DataSource;
  let tokens: AccountTokensService;
  let user: User;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    ({ dataSource, close } = await openSpecDatabase(kind));
    tokens = new AccountTokensService(
      dataSource.getRepository(AccountToken),
      new CredentialLifecycle(),
    );
  });
  afterAll(() => close?.());
  beforeEach(async () => {
    user = await saveSpecUser(dataSource);
  });

  const issue = (
    tokenKind: AccountToken['kind'] = 'password-reset',
    ttlSeconds = 1800,
    newEmail?: string,
  ) =>
    tokens.issue(dataSource.manager, user.id, tokenKind, ttlSeconds, {
      newEmail,
    });

  it('is 256 random bits, stored only as its hash, and spent once', async () => {
    const token = await issue();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await dataSource
      .getRepository(AccountToken)
      .findOneByOrFail({ userId: user.id });
    expect(stored.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(await tokens.consume('password-reset', token)).toEqual({
      userId: user.id,
      newEmail: null,
      method: null,
    });
    expect(await tokens.consume('password-reset', token)).toBeNull();
  });

  it('is worthless for another kind, and keeps working for its own after the attempt', async () => {
    const token = await issue('email-verification');
    expect(await tokens.consume('password-reset', token)).toBeNull();
    expect(await tokens.consume('email-change', token)).toBeNull();
    expect(await tokens.consume('email-verification', token)).not.toBeNull();
  });

  it('expires', async () => {
    const token = await issue('password-reset', 1800);
    await dataSource
      .getRepository(AccountToken)
      .update({ userId: user.id }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await tokens.consume('password-reset', token)).toBeNull();
  });

  it('a newer token of a kind retires the older one, not those of other kinds', async () => {
    const older = await issue('password-reset');
    const verification = await issue('email-verification');
    const newer = await issue('password-reset');
    expect(await tokens.consume('password-reset', older)).toBeNull();
    expect(await tokens.consume('password-reset', newer)).not.toBeNull();
    expect(
      await tokens.consume('email-verification', verification),
    ).not.toBeNull();
  });

  it('of two issued at once, the later retires the earlier', async () => {
    const [earlier, later] = await overlappingTransactions(
      dataSource,
      (manager) => tokens.issue(manager, user.id, 'password-reset', 1800),
      (manager) => tokens.issue(manager, user.id, 'password-reset', 1800),
    );
    expect(await tokens.consume('password-reset', earlier)).toBeNull();
    expect(await tokens.consume('password-reset', later)).not.toBeNull();
  });

  it('carries the new address of an email change', async () => {
    const token = await issue('email-change', 86400, 'new@example.com');
    expect(await tokens.consume('email-change', token)).toEqual({
      userId: user.id,
      newEmail: 'new@example.com',
      method: null,
    });
  });

  it('keeps one removal link per sign-in method: a new one retires only the older of its method', async () => {
    const removal = (method: { kind: 'passkey' | 'totp'; id: string | null }) =>
      tokens.issue(dataSource.manager, user.id, 'sign-in-method-removal', 600, {
        method,
      });
    const passkeyA = await removal({ kind: 'passkey', id: 'a' });
    const passkeyB = await removal({ kind: 'passkey', id: 'b' });
    const totpFirst = await removal({ kind: 'totp', id: null });
    const totpSecond = await removal({ kind: 'totp', id: null });
    expect(
      await tokens.consume('sign-in-method-removal', totpFirst),
    ).toBeNull();
    expect(await tokens.consume('sign-in-method-removal', passkeyA)).toEqual({
      userId: user.id,
      newEmail: null,
      method: { kind: 'passkey', id: 'a' },
    });
    expect(
      (await tokens.consume('sign-in-method-removal', passkeyB))?.method,
    ).toEqual({ kind: 'passkey', id: 'b' });
    expect(
      (await tokens.consume('sign-in-method-removal', totpSecond))?.method,
    ).toEqual({ kind: 'totp', id: null });
  });

  it('revokeAll retires every unused token of the user', async () => {
    const reset = await issue('password-reset');
    const change = await issue('email-change', 86400, 'x@example.com');
    await tokens.revokeAll(user.id, ['password-reset']);
    expect(await tokens.consume('password-reset', reset)).toBeNull();
    await tokens.revokeAll(user.id);
    expect(await tokens.consume('email-change', change)).toBeNull();
  });

  it('of parallel uses of one token exactly one succeeds', async () => {
    const token = await issue();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => tokens.consume('password-reset', token)),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
  });

  it.each(['', 'x'.repeat(129), 'not-a-token', '\u0000'])(
    'answers null, never an error, for %j',
    async (token) => {
      expect(await tokens.consume('password-reset', token)).toBeNull();
    },
  );
});
