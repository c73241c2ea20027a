import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['900', 900],
    ['15m', 900],
    ['2h', 7200],
    ['14d', 1209600],
    ['30s', 30],
  ])('reads %s as %i seconds', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it.each(['', '15 minutes', '-5', '1.5h', '10w', 'm'])(
    'rejects %j',
    (input) => {
      expect(parseDuration(input)).toBeNaN();
    },
  );
});
