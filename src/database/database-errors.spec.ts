import { QueryFailedError } from 'typeorm';
import { isTransactionConflict } from './database-errors.js';

const failed = (code: string) =>
  new QueryFailedError(
    'UPDATE "x" SET "y" = 1',
    [],
    Object.assign(new Error('driver'), { code }),
  );

describe('isTransactionConflict', () => {
  it('knows a deadlock and a serialization failure, and nothing else', () => {
    expect(isTransactionConflict(failed('40P01'))).toBe(true);
    expect(isTransactionConflict(failed('40001'))).toBe(true);
    for (const code of ['23505', '57014', '08006', ''])
      expect(isTransactionConflict(failed(code))).toBe(false);
    expect(isTransactionConflict(new Error('40P01'))).toBe(false);
  });
});
