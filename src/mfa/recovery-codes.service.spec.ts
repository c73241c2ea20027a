import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  openSpecDatabase,
  overlappingTransactions,
  saveSpecUser,
  specDatabaseKinds,
} from '../../test/support/database.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { RecoveryCodesService } from './recovery-codes.service.js';

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
    // The first has deleted and inserted, not yet committed, when the second begins: without a
    // lock the second deletes nothing it can see and adds its own ten.
    const [, secondSet] = await overlappingTransactions(
      dataSource,
      (manager) => codes.replace(manager, user.id),
      (manager) => codes.replace(manager, user.id),
    );

    expect(await codes.remaining(user.id)).toBe(10);
    for (const code of secondSet.slice(0, 2))
      expect(await codes.consume(user.id, code)).toBe(true);
  });
});
