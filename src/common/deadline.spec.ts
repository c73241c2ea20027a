import { withDeadline } from './deadline.js';

describe('withDeadline', () => {
  it('passes the answer through when it comes in time', async () => {
    await expect(withDeadline(Promise.resolve(7), 50, 'late')).resolves.toBe(7);
    await expect(
      withDeadline(Promise.reject(new Error('refused')), 50, 'late'),
    ).rejects.toThrow('refused');
  });

  it('rejects with the message when the answer does not come in time', async () => {
    const never = new Promise<never>(() => undefined);
    const started = Date.now();
    await expect(withDeadline(never, 30, 'no answer')).rejects.toThrow(
      'no answer',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});
