import {
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configWith } from '../../test/support/config.js';
import { ConfigurationError } from '../config/configuration-error.js';
import { JwtKeys } from './jwt-keys.js';

const directory = mkdtempSync(join(tmpdir(), 'warden-keys-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
function pemFile(pem: string): string {
  const file = join(directory, `key-${files++}.pem`);
  writeFileSync(file, pem);
  return file;
}

function pems(pair: { privateKey: KeyObject; publicKey: KeyObject }) {
  return {
    privateKey: pair.privateKey
      .export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    publicKey: pair.publicKey
      .export({ type: 'spki', format: 'pem' })
      .toString(),
  };
}
const rsa = (modulusLength: number) =>
  pems(generateKeyPairSync('rsa', { modulusLength }));
const ec = (namedCurve: string) =>
  pems(generateKeyPairSync('ec', { namedCurve }));

const rsa2048 = rsa(2048);
const p256 = ec('prime256v1');

function keysFor(settings: Record<string, unknown>): JwtKeys {
  return new JwtKeys(configWith(settings));
}

function header(token: string): string {
  return Buffer.from(JSON.stringify({ alg: 'RS256', kid: token })).toString(
    'base64url',
  );
}

describe('JwtKeys', () => {
  it('RS256 and ES256 without JWT_PRIVATE_KEY_FILE sign with the ID-token key of their algorithm, and say when the file has none', () => {
    const previous = rsa(2048);
    const oidcFile = pemFile(rsa2048.privateKey + p256.privateKey);
    const rs = keysFor({
      JWT_ALGORITHM: 'RS256',
      OIDC_SIGNING_KEY_FILE: oidcFile,
      OIDC_PREVIOUS_PUBLIC_KEY_FILE: pemFile(
        previous.publicKey + ec('prime256v1').publicKey,
      ),
    });
    expect(rs.signingKey.asymmetricKeyType).toBe('rsa');
    expect(rs.jwks[0].n).toBe(
      createPublicKey(rsa2048.privateKey).export({ format: 'jwk' }).n,
    );
    // The previous RSA key verifies; the previous P-256 key is not an access-token key.
    expect(rs.jwks.map((jwk) => jwk.alg)).toEqual(['RS256', 'RS256']);
    const es = keysFor({
      JWT_ALGORITHM: 'ES256',
      OIDC_SIGNING_KEY_FILE: oidcFile,
    });
    expect(es.jwks).toEqual([
      expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256' }),
    ]);
    expect(() =>
      keysFor({
        JWT_ALGORITHM: 'ES256',
        OIDC_SIGNING_KEY_FILE: pemFile(rsa2048.privateKey),
      }),
    ).toThrow(ConfigurationError);
  });

  it('HS256: one secret, no kid, nothing published', () => {
    const keys = keysFor({
      JWT_ALGORITHM: 'HS256',
      JWT_SECRET: 'x'.repeat(40),
    });
    expect(keys.keyId).toBeUndefined();
    expect(keys.jwks).toEqual([]);
    expect(keys.signingKey.type).toBe('secret');
    expect(keys.verificationKeyFor('anything')).toBe(keys.signingKey);
  });

  it('RS256: kid is the RFC 7638 thumbprint, and the public key verifies tokens that name it', () => {
    const keys = keysFor({
      JWT_ALGORITHM: 'RS256',
      JWT_PRIVATE_KEY_FILE: pemFile(rsa2048.privateKey),
    });
    expect(keys.keyId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keys.jwks).toEqual([
      expect.objectContaining({
        kty: 'RSA',
        kid: keys.keyId,
        alg: 'RS256',
        use: 'sig',
      }),
    ]);
    expect(keys.jwks[0]).not.toHaveProperty('d');
    expect(
      keys.verificationKeyFor(`${header(keys.keyId!)}.e30.sig`)?.type,
    ).toBe('public');
    expect(
      keys.verificationKeyFor(`${header('someone-else')}.e30.sig`),
    ).toBeUndefined();
    expect(keys.verificationKeyFor('not a jwt')).toBeUndefined();
  });

  it('accepts the previous public key during a rotation, under its own kid', () => {
    const previous = rsa(2048);
    const keys = keysFor({
      JWT_ALGORITHM: 'RS256',
      JWT_PRIVATE_KEY_FILE: pemFile(rsa2048.privateKey),
      JWT_PREVIOUS_PUBLIC_KEY_FILE: pemFile(previous.publicKey),
    });
    expect(keys.jwks).toHaveLength(2);
    const previousKid = keys.jwks[1].kid;
    expect(previousKid).not.toBe(keys.keyId);
    expect(
      keys.verificationKeyFor(`${header(previousKid)}.e30.sig`),
    ).toBeDefined();
  });

  it('ES256 needs a P-256 key', () => {
    expect(
      keysFor({
        JWT_ALGORITHM: 'ES256',
        JWT_PRIVATE_KEY_FILE: pemFile(p256.privateKey),
      }).jwks[0],
    ).toEqual(expect.objectContaining({ kty: 'EC', crv: 'P-256' }));
    const p384 = ec('secp384r1');
    expect(() =>
      keysFor({
        JWT_ALGORITHM: 'ES256',
        JWT_PRIVATE_KEY_FILE: pemFile(p384.privateKey),
      }),
    ).toThrow(/P-256/);
  });

  it.each([
    ['a short RSA key', () => rsa(1024).privateKey, /at least 2048 bits/],
    ['an EC key for RS256', () => p256.privateKey, /RSA key/],
    ['a file that is not PEM', () => 'hello', /is not a PEM key/],
  ])('refuses %s, naming the variable', (_, pem, message) => {
    const attempt = () =>
      keysFor({ JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY_FILE: pemFile(pem()) });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/JWT_PRIVATE_KEY_FILE/);
    expect(attempt).toThrow(message);
  });

  it('names a missing file', () => {
    expect(() =>
      keysFor({
        JWT_ALGORITHM: 'RS256',
        JWT_PRIVATE_KEY_FILE: join(directory, 'absent.pem'),
      }),
    ).toThrow(/JWT_PRIVATE_KEY_FILE: .*absent\.pem/);
  });
});
