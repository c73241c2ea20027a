import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import {
  openSpecDatabase,
  overlappingTransactions,
  saveSpecUser,
  specDatabaseKinds,
} from '../../test/support/database.js';
import { configWith } from '../../test/support/config.js';
import { lockUserRow } from '../database/user-row-lock.js';
import { RecoveryCode } from '../mfa/recovery-code.entity.js';
import { RecoveryCodesService } from '../mfa/recovery-codes.service.js';
import { AccountToken } from '../users/account-token.entity.js';
import { AccountTokensService } from '../users/account-tokens.service.js';
import { CredentialLifecycle } from './credential-lifecycle.service.js';
import { SignInMethods } from './sign-in-methods.service.js';

/**
 * The lifecycle on a real database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set):
 * one user's events run one at a time. Two replacements of recovery codes each remove the old
 * set through the lifecycle and insert a new one; forced to overlap, the second must see the
 * first's set and remove it, not leave twenty codes (CI saw this on PostgreSQL under load).
 */
describe.each(specDatabaseKinds())('CredentialLifecycle on %s', (kind) => {
  let close: () => Promise<void>;
  let dataSource: DataSource;
  let codes: RecoveryCodesService;
  let lifecycle: CredentialLifecycle;
  let tokens: AccountTokensService;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    ({ dataSource, close } = await openSpecDatabase(kind));
    codes = new RecoveryCodesService(dataSource.getRepository(RecoveryCode));
    lifecycle = new CredentialLifecycle();
    tokens = new AccountTokensService(
      dataSource.getRepository(AccountToken),
      lifecycle,
    );
    const methods = new SignInMethods(
      lifecycle,
      configWith({ EMAIL_VERIFICATION: 'optional' }),
    );
    methods.register({
      kind: 'recovery-codes',
      entities: [RecoveryCode],
      secondFactor: false,
      inUse: () => Promise.resolve(true),
      remove: async (manager, userId) => {
        await codes.removeAll(manager, userId);
        return {};
      },
    });
  });
  afterAll(() => close?.());

  const replace = async (manager: EntityManager, userId: string) => {
    await lifecycle.apply(manager, 'recovery-codes-replaced', {
      userId,
      method: { kind: 'recovery-codes', id: null },
    });
    return codes.replace(manager, userId);
  };

  it('takes the user’s row first, so an event and a link issued meanwhile cannot deadlock', async () => {
    const user = await saveSpecUser(dataSource);
    const method = { kind: 'recovery-codes', id: null } as const;
    await tokens.issue(
      dataSource.manager,
      user.id,
      'sign-in-method-removal',
      600,
      { method },
    );
    let applied = () => {};
    const hasApplied = new Promise<void>((resolve) => (applied = resolve));
    // The event ends the removal link (a row lock), then, later in its transaction, issues a new
    // one (the user's row first, then the link rows); meanwhile another transaction takes the
    // user's row and reaches for the same link rows. Locked in that order, the two would wait
    // for each other.
    const event = dataSource.transaction(async (manager) => {
      await lifecycle.apply(manager, 'recovery-codes-replaced', {
        userId: user.id,
        method,
      });
      applied();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tokens.issue(manager, user.id, 'sign-in-method-removal', 600, {
        method,
      });
    });
    await hasApplied;
    const other = dataSource.transaction(async (manager) => {
      await lockUserRow(manager, user.id);
      await tokens.issue(manager, user.id, 'sign-in-method-removal', 600, {
        method,
      });
    });
    await expect(Promise.all([event, other])).resolves.toBeDefined();
  });

  it('runs one user’s events one at a time: overlapping replacements leave one set of ten', async () => {
    const user = await saveSpecUser(dataSource);
    await dataSource.transaction((manager) => codes.replace(manager, user.id));
    const [, secondSet] = await overlappingTransactions(
      dataSource,
      (manager) => replace(manager, user.id),
      (manager) => replace(manager, user.id),
    );
    expect(await codes.remaining(user.id)).toBe(10);
    expect(await codes.consume(user.id, secondSet[0])).toBe(true);
  });
});
