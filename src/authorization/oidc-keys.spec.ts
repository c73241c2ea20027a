import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configWith } from '../../test/support/config.js';
import { ConfigurationError } from '../config/configuration-error.js';
import { OidcKeys } from './oidc-keys.js';

const privatePem = ({ privateKey }: { privateKey: KeyObject }) =>
  privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const publicPem = ({ publicKey }: { publicKey: KeyObject }) =>
  publicKey.export({ format: 'pem', type: 'spki' }).toString();
const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const p256 = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

const directory = mkdtempSync(join(tmpdir(), 'warden-oidc-keys-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
function file(contents: string): string {
  const path = join(directory, `key-${++files}.pem`);
  writeFileSync(path, contents);
  return path;
}

const keysFrom = (values: Record<string, string>) =>
  new OidcKeys(configWith(values));

/** Which problem a start-up with these files reports. */
function problemOf(values: Record<string, string>): string {
  try {
    keysFrom(values);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('no problem reported');
}

describe('OidcKeys', () => {
  it('signs RS256 with the RSA key alone, and ES256 too when a P-256 key follows it', () => {
    const alone = keysFrom({ OIDC_SIGNING_KEY_FILE: file(privatePem(rsa())) });
    expect(alone.algorithms).toEqual(['RS256']);
    expect(alone.supports('ES256')).toBe(false);
    expect(() => alone.signer('ES256')).toThrow();

    const both = keysFrom({
      OIDC_SIGNING_KEY_FILE: file(privatePem(rsa()) + privatePem(p256())),
    });
    expect(both.algorithms).toEqual(['RS256', 'ES256']);
    expect(both.jwks.map((jwk) => [jwk.kty, jwk.alg])).toEqual([
      ['RSA', 'RS256'],
      ['EC', 'ES256'],
    ]);
    for (const jwk of both.jwks) {
      expect(jwk).not.toHaveProperty('d');
      expect(both.verificationKey(jwk.kid)?.algorithm).toBe(jwk.alg);
    }
    expect(both.verificationKey('unknown')).toBeUndefined();
  });

  it('publishes every previous public key, RSA or P-256, for verification only', () => {
    const keys = keysFrom({
      OIDC_SIGNING_KEY_FILE: file(privatePem(rsa())),
      OIDC_PREVIOUS_PUBLIC_KEY_FILE: file(publicPem(rsa()) + publicPem(p256())),
    });
    expect(keys.algorithms).toEqual(['RS256']);
    expect(keys.jwks.map((jwk) => jwk.alg)).toEqual([
      'RS256',
      'RS256',
      'ES256',
    ]);
    expect(keys.verificationKey(keys.jwks[2].kid)?.algorithm).toBe('ES256');
  });

  it('refuses, naming the variable, a file without an RSA key, with two of a kind, with another kind of key, or with no key', () => {
    expect(
      problemOf({ OIDC_SIGNING_KEY_FILE: file(privatePem(p256())) }),
    ).toMatch(/^OIDC_SIGNING_KEY_FILE must hold an RSA private key/);
    expect(
      problemOf({
        OIDC_SIGNING_KEY_FILE: file(privatePem(rsa()) + privatePem(rsa())),
      }),
    ).toMatch(/^OIDC_SIGNING_KEY_FILE must hold one RSA private key/);
    expect(
      problemOf({
        OIDC_SIGNING_KEY_FILE: file(
          privatePem(generateKeyPairSync('ec', { namedCurve: 'secp384r1' })),
        ),
      }),
    ).toMatch(/^OIDC_SIGNING_KEY_FILE must hold one RSA/);
    expect(problemOf({ OIDC_SIGNING_KEY_FILE: file('not a key\n') })).toMatch(
      /^OIDC_SIGNING_KEY_FILE: .* holds no PEM key$/,
    );
    expect(
      problemOf({
        OIDC_SIGNING_KEY_FILE: file(privatePem(rsa())),
        OIDC_PREVIOUS_PUBLIC_KEY_FILE: file(
          publicPem(generateKeyPairSync('rsa', { modulusLength: 1024 })),
        ),
      }),
    ).toMatch(/^OIDC_PREVIOUS_PUBLIC_KEY_FILE must hold/);
  });
});
