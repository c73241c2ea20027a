import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../config/configuration-error.js';
import type { Settings } from '../config/settings.js';
import type { JwtAlgorithm } from './auth.settings.js';

/** A public key as `/.well-known/jwks.json` serves it (RFC 7517). */
export type PublicJwk = JsonWebKey & {
  kid: string;
  alg: JwtAlgorithm;
  use: 'sig';
};

const KEY_TYPE: Record<
  Exclude<JwtAlgorithm, 'HS256'>,
  { type: string; check: (key: KeyObject) => boolean; need: string }
> = {
  RS256: {
    type: 'rsa',
    check: (key) => (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048,
    need: 'an RSA key of at least 2048 bits',
  },
  ES256: {
    type: 'ec',
    check: (key) => key.asymmetricKeyDetails?.namedCurve === 'prime256v1',
    need: 'an EC key on P-256 (prime256v1)',
  },
};

/**
 * The keys that sign and verify access tokens, built once at start-up. They are `KeyObject`s,
 * not strings: jsonwebtoken 9 re-imports a string secret on every call (~340 µs per verify
 * measured here) and uses a KeyObject as it is (~7 µs).
 *
 * HS256 has one secret and no `kid`. RS256 and ES256 sign with `JWT_PRIVATE_KEY_FILE`, put the
 * key's RFC 7638 thumbprint in `kid`, publish the public keys as a JWKS, and also accept tokens
 * of `JWT_PREVIOUS_PUBLIC_KEY_FILE` while a rotation is under way. Without
 * `JWT_PRIVATE_KEY_FILE` (production's default, RS256) they sign with OIDC_SIGNING_KEY_FILE's
 * key of the algorithm, and the previous keys are OIDC_PREVIOUS_PUBLIC_KEY_FILE's.
 */
@Injectable()
export class JwtKeys {
  readonly algorithm: JwtAlgorithm;
  readonly signingKey: KeyObject;
  /** The `kid` header of issued tokens; undefined in HS256 mode. */
  readonly keyId: string | undefined;
  /** Public keys to publish; empty in HS256 mode. */
  readonly jwks: PublicJwk[];
  private readonly verificationKeys: Map<string | undefined, KeyObject>;

  constructor(config: ConfigService<Settings, true>) {
    this.algorithm = config.get('auth.JWT_ALGORITHM', { infer: true });
    if (this.algorithm === 'HS256') {
      const secret = createSecretKey(
        Buffer.from(config.get('auth.JWT_SECRET', { infer: true }), 'utf8'),
      );
      this.signingKey = secret;
      this.keyId = undefined;
      this.jwks = [];
      this.verificationKeys = new Map([[undefined, secret]]);
      return;
    }
    const algorithm = this.algorithm;
    const keyFile = config.get('auth.JWT_PRIVATE_KEY_FILE', { infer: true });
    const publicKeys: KeyObject[] = [];
    if (keyFile) {
      this.signingKey = loadKey(
        'JWT_PRIVATE_KEY_FILE',
        keyFile,
        algorithm,
        createPrivateKey,
      );
      publicKeys.push(createPublicKey(this.signingKey));
      const previousFile = config.get('auth.JWT_PREVIOUS_PUBLIC_KEY_FILE', {
        infer: true,
      });
      if (previousFile)
        publicKeys.push(
          loadKey(
            'JWT_PREVIOUS_PUBLIC_KEY_FILE',
            previousFile,
            algorithm,
            createPublicKey,
          ),
        );
    } else {
      // Without a key of their own, access tokens share the ID-token key of their algorithm
      // (one key to provision and rotate); `typ` keeps the two kinds of token apart.
      const oidcKey = loadKeys(
        'OIDC_SIGNING_KEY_FILE',
        config.get('auth.OIDC_SIGNING_KEY_FILE', { infer: true }),
        createPrivateKey,
      ).find((candidate) => candidate.algorithm === algorithm);
      if (!oidcKey)
        throw new ConfigurationError([
          `JWT_ALGORITHM=${algorithm} without JWT_PRIVATE_KEY_FILE signs access tokens with OIDC_SIGNING_KEY_FILE's ${KEY_TYPE[algorithm].need}, and that file has none: add one, or set JWT_PRIVATE_KEY_FILE`,
        ]);
      this.signingKey = oidcKey.key;
      publicKeys.push(createPublicKey(this.signingKey));
      const previousFile = config.get('auth.OIDC_PREVIOUS_PUBLIC_KEY_FILE', {
        infer: true,
      });
      if (previousFile)
        for (const previous of loadKeys(
          'OIDC_PREVIOUS_PUBLIC_KEY_FILE',
          previousFile,
          createPublicKey,
        ))
          if (previous.algorithm === algorithm) publicKeys.push(previous.key);
    }
    this.jwks = publicKeys.map((key) => ({
      ...key.export({ format: 'jwk' }),
      kid: thumbprint(key),
      alg: algorithm,
      use: 'sig',
    }));
    this.keyId = this.jwks[0].kid;
    this.verificationKeys = new Map(
      publicKeys.map((key, index) => [this.jwks[index].kid, key]),
    );
  }

  /**
   * The key that verifies a token, chosen by its `kid` header; undefined when no key of ours
   * matches (the token is then refused). HS256 has a single key and never decodes the header.
   */
  verificationKeyFor(token: string): KeyObject | undefined {
    if (this.keyId === undefined) return this.verificationKeys.get(undefined);
    const kid = headerKeyId(token);
    return kid === undefined ? undefined : this.verificationKeys.get(kid);
  }
}

export function loadKey(
  variable: string,
  file: string,
  algorithm: Exclude<JwtAlgorithm, 'HS256'>,
  parse: (pem: string) => KeyObject,
): KeyObject {
  let key: KeyObject;
  try {
    key = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigurationError([
      `${variable}: ${file} is not a PEM key (${(error as Error).message})`,
    ]);
  }
  const expected = KEY_TYPE[algorithm];
  if (key.asymmetricKeyType !== expected.type || !expected.check(key)) {
    throw new ConfigurationError([
      variable.startsWith('JWT_')
        ? `${variable}: JWT_ALGORITHM=${algorithm} needs ${expected.need}`
        : `${variable} must be ${expected.need}`,
    ]);
  }
  return key;
}

/**
 * Every PEM block of `file` as a key, with the signing algorithm each one is fit for (RS256: RSA
 * of 2048 bits or more; ES256: EC on P-256; null: neither). A file with no key, or a block that
 * is not a key, is a ConfigurationError naming `variable`.
 */
export function loadKeys(
  variable: string,
  file: string,
  parse: (pem: string) => KeyObject,
): { key: KeyObject; algorithm: 'RS256' | 'ES256' | null }[] {
  let blocks: string[];
  try {
    blocks = readFileSync(file, 'utf8').match(PEM_BLOCK) ?? [];
  } catch (error) {
    throw new ConfigurationError([
      `${variable}: ${file} cannot be read (${(error as Error).message})`,
    ]);
  }
  if (blocks.length === 0)
    throw new ConfigurationError([`${variable}: ${file} holds no PEM key`]);
  return blocks.map((block, index) => {
    let key: KeyObject;
    try {
      key = parse(block);
    } catch (error) {
      throw new ConfigurationError([
        `${variable}: the key number ${index + 1} in ${file} is not a PEM key (${(error as Error).message})`,
      ]);
    }
    const algorithm =
      (['RS256', 'ES256'] as const).find(
        (candidate) =>
          key.asymmetricKeyType === KEY_TYPE[candidate].type &&
          KEY_TYPE[candidate].check(key),
      ) ?? null;
    return { key, algorithm };
  });
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key. */
export function thumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256')
    .update(JSON.stringify(members))
    .digest('base64url');
}

function headerKeyId(token: string): string | undefined {
  try {
    const header: unknown = JSON.parse(
      Buffer.from(token.split('.', 1)[0], 'base64url').toString('utf8'),
    );
    if (
      typeof header === 'object' &&
      header !== null &&
      'kid' in header &&
      typeof header.kid === 'string'
    ) {
      return header.kid;
    }
  } catch {
    // not a JWT header: no key
  }
  return undefined;
}
