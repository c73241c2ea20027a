import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  openSpecDatabase,
  saveSpecUser,
  specDatabaseKinds,
} from '../../test/support/database.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { RecoveryCodesService } from './recovery-codes.service.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Recovery codes on a real database: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
describe.each(specDatabaseKinds())('RecoveryCodesService on %s', (kind) => {
  let close: () => Promise<void>;
  let dataSource: DataSource;
  let codes: RecoveryCodesService;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    ({ dataSource, close } = await openSpecDatabase(kind));
    codes = new RecoveryCodesService(dataSource.getRepository(RecoveryCode));
  });
  afterAll(() => close?.());

  it('a replacement that overlaps another leaves one set of ten: the one that committed last', async () => {
    const user = await saveSpecUser(dataSource);
    let commitFirst = () => {};
    const firstHolds = new Promise<void>((resolve) => (commitFirst = resolve));
    let firstReplaced = () => {};
    const replacedByFirst = new Promise<void>(
      (resolve) => (firstReplaced = resolve),
    );
    // The first replacement has deleted and inserted, and has not committed yet, when the
    // second begins: without a lock the second deletes nothing it can see and adds its own ten.
    const first = dataSource.transaction(async (manager) => {
      await codes.replace(manager, user.id);
      firstReplaced();
      await firstHolds;
    });
    await replacedByFirst;
    const second = dataSource.transaction((manager) =>
      codes.replace(manager, user.id),
    );
    await sleep(300);
    commitFirst();
    await first;
    const secondSet = await second;

    expect(await codes.remaining(user.id)).toBe(10);
    for (const code of secondSet.slice(0, 2))
      expect(await codes.consume(user.id, code)).toBe(true);
  });
});
