import { dictionary } from '@zxcvbn-ts/language-en';
import {
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
} from 'node:crypto';
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dictionaryShare,
  loadOrCreateDevelopmentOidcKeys,
  MAX_DICTIONARY_SHARE,
  productionSecretReason,
} from './secrets.js';

/** A small deterministic generator (mulberry32), so that the phrases are the same every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = dictionary['commonWords-en']
  .slice(0, 3000)
  .filter((word) => /^[a-z]{3,9}$/.test(word));

/**
 * English phrases as people make secrets of them: common words joined by dashes, underscores,
 * spaces or nothing, in lower, upper or camel case, sometimes with a year or a number.
 */
function phrases(count: number): string[] {
  const random = seeded(23);
  const pick = <T>(items: readonly T[]): T =>
    items[Math.floor(random() * items.length)];
  const result: string[] = [];
  while (result.length < count) {
    const words: string[] = [];
    while (words.join('').length < 30) words.push(pick(WORDS));
    const style = pick(['-', '_', ' ', '', 'camel', 'upper'] as const);
    let phrase =
      style === 'camel'
        ? words.map((word) => word[0].toUpperCase() + word.slice(1)).join('')
        : style === 'upper'
          ? words.join('_').toUpperCase()
          : words.join(style);
    if (random() < 0.5) phrase += pick(['2024', '!', '42', '-2026', '123']);
    result.push(phrase);
  }
  return result;
}

describe('production secrets', () => {
  it.each([
    'replace-me-with-a-real-secret-in-production',
    'supersecretkeythatisatleast32byteslong',
    'this-is-a-very-long-secret-key-for-jwt-signing',
  ])('refuses the phrase %s', (phrase) => {
    expect(productionSecretReason(phrase)).toMatch(/reads as a phrase/);
  });

  it('refuses 20 generated English phrases', () => {
    const generated = phrases(20);
    expect(new Set(generated).size).toBe(20);
    const accepted = generated.filter(
      (phrase) => productionSecretReason(phrase) === null,
    );
    expect(accepted).toEqual([]);
  });

  it('accepts 400 values as openssl rand prints them (-base64 48, -base64 32, -hex 32, base64url)', () => {
    const refused: string[] = [];
    for (let i = 0; i < 100; i++)
      for (const value of [
        randomBytes(48).toString('base64'),
        randomBytes(32).toString('base64'),
        randomBytes(32).toString('hex'),
        randomBytes(32).toString('base64url'),
      ]) {
        const reason = productionSecretReason(value);
        if (reason) refused.push(`${value}: ${reason}`);
      }
    expect(refused).toEqual([]);
  });

  it('refuses random-looking encodings of patterned bytes', () => {
    for (const patterned of [
      '00'.repeat(32),
      Buffer.alloc(48, 0x5a).toString('base64'),
      Buffer.from(Array.from({ length: 40 }, (_, i) => i * 3)).toString('hex'),
    ])
      expect(productionSecretReason(patterned)).toMatch(
        /pattern|distinct characters|predictable/,
      );
  });

  it('counts words only as they are written as words, and over letters and digits', () => {
    expect(dictionaryShare('correct-horse-battery-staple')).toBe(1);
    expect(dictionaryShare('CorrectHorseBatteryStaple')).toBe(1);
    expect(dictionaryShare('cOrReCtHoRsE')).toBeLessThan(MAX_DICTIONARY_SHARE);
    expect(dictionaryShare('k3Y-8f2a9d1c0b7e6f5a4d3c2b1a0f9e8d7c6b5a')).toBe(0);
  });
});

describe('loadOrCreateDevelopmentOidcKeys', () => {
  const folders: string[] = [];
  const keysFolder = () => {
    const folder = mkdtempSync(join(tmpdir(), 'warden-oidc-'));
    folders.push(folder);
    return folder;
  };
  afterAll(() => {
    for (const folder of folders)
      rmSync(folder, { recursive: true, force: true });
  });

  const blocks = (file: string) =>
    (
      readFileSync(file, 'utf8').match(
        /-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g,
      ) ?? []
    ).map((pem) => createPrivateKey(pem));

  it('makes an RSA key and a P-256 key once, then keeps them', () => {
    const file = join(keysFolder(), 'keys.pem');
    loadOrCreateDevelopmentOidcKeys(file);
    const made = readFileSync(file, 'utf8');
    expect(blocks(file).map((key) => key.asymmetricKeyType)).toEqual([
      'rsa',
      'ec',
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    loadOrCreateDevelopmentOidcKeys(file);
    expect(readFileSync(file, 'utf8')).toBe(made);
  });

  it('appends a P-256 key to a development file made before ES256', () => {
    const file = join(keysFolder(), 'keys.pem');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    writeFileSync(file, rsa);
    loadOrCreateDevelopmentOidcKeys(file);
    expect(readFileSync(file, 'utf8').startsWith(rsa)).toBe(true);
    expect(blocks(file).map((key) => key.asymmetricKeyType)).toEqual([
      'rsa',
      'ec',
    ]);
  });
});
