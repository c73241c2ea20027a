import { SecretBox } from './secret-box.js';

const KEY = '0f'.repeat(32);

describe('SecretBox', () => {
  it('opens what it sealed, for the same context only', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-a');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP', 'user-a')).not.toBe(sealed);
    expect(box.open(sealed, 'user-a')).toBe('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'user-b')).toBeNull();
  });

  it('refuses a tampered value, another key, and garbage, without throwing', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('secret', 'ctx');
    const [version, iv, body, tag] = sealed.split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(
      box.open(
        [version, iv, flipped.toString('base64url'), tag].join('.'),
        'ctx',
      ),
    ).toBeNull();
    expect(
      new SecretBox(Buffer.alloc(32, 1).toString('base64')).open(sealed, 'ctx'),
    ).toBeNull();
    for (const value of [
      '',
      'v1',
      'v1...',
      'v2.a.b.c',
      'v1.a.b.c',
      sealed + '.x',
    ])
      expect(box.open(value, 'ctx')).toBeNull();
  });

  it('while rotating, opens values of the previous key too and reseals them with the current one', () => {
    const previous = new SecretBox(KEY);
    const current = new SecretBox(Buffer.alloc(32, 7).toString('base64'));
    const rotating = new SecretBox(Buffer.alloc(32, 7).toString('base64'), KEY);
    const old = previous.seal('JBSWY3DPEHPK3PXP', 'user-a');
    expect(rotating.rotating).toBe(true);
    expect(current.rotating).toBe(false);
    expect(current.open(old, 'user-a')).toBeNull();
    expect(rotating.open(old, 'user-a')).toBe('JBSWY3DPEHPK3PXP');
    expect(rotating.open(old, 'user-b')).toBeNull();

    const moved = rotating.rotated(old, 'user-a');
    expect(moved.kind).toBe('resealed');
    const value = moved.kind === 'resealed' ? moved.value : '';
    expect(current.open(value, 'user-a')).toBe('JBSWY3DPEHPK3PXP');
    // Already current: nothing to do. Another context, garbage, or no previous key: unreadable.
    expect(rotating.rotated(value, 'user-a')).toEqual({ kind: 'current' });
    expect(rotating.rotated(old, 'user-b')).toEqual({ kind: 'unreadable' });
    expect(rotating.rotated('v1.a.b.c', 'user-a')).toEqual({
      kind: 'unreadable',
    });
    expect(current.rotated(old, 'user-a')).toEqual({ kind: 'unreadable' });
  });
});
