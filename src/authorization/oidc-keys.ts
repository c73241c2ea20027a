import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  type KeyObject,
} from 'node:crypto';
import { loadKeys, type PublicJwk, thumbprint } from '../auth/jwt-keys.js';
import type { IdTokenAlgorithm } from '../clients/client.entity.js';
import { ConfigurationError } from '../config/configuration-error.js';
import type { Settings } from '../config/settings.js';

interface Signer {
  key: KeyObject;
  keyId: string;
}

/**
 * The keys that sign ID tokens, from OIDC_SIGNING_KEY_FILE in every JWT_ALGORITHM mode (access
 * tokens keep their own keys): an RSA key for RS256, which OpenID Connect Core §15.1 requires of
 * every provider, and optionally a P-256 key in the same file for clients registered with
 * `id_token_signed_response_alg=ES256`. The public keys of OIDC_PREVIOUS_PUBLIC_KEY_FILE (one or
 * more) stay published during a rotation, so ID tokens the old keys signed still verify at
 * clients that fetch the JWKS again, and still name a session as an `id_token_hint`.
 */
@Injectable()
export class OidcKeys {
  /** The public keys, signing keys first: what the JWKS publishes after the access-token keys. */
  readonly jwks: PublicJwk[];
  private readonly signers = new Map<IdTokenAlgorithm, Signer>();
  private readonly verificationKeys = new Map<
    string,
    { key: KeyObject; algorithm: IdTokenAlgorithm }
  >();

  constructor(config: ConfigService<Settings, true>) {
    const signing = loadKeys(
      'OIDC_SIGNING_KEY_FILE',
      config.get('auth.OIDC_SIGNING_KEY_FILE', { infer: true }),
      createPrivateKey,
    );
    const counts = { RS256: 0, ES256: 0 };
    for (const { key, algorithm } of signing) {
      if (algorithm === null || ++counts[algorithm] > 1)
        throw new ConfigurationError([
          'OIDC_SIGNING_KEY_FILE must hold one RSA private key of at least 2048 bits and, for ES256, one EC private key on P-256; nothing else',
        ]);
      this.signers.set(algorithm, {
        key,
        keyId: thumbprint(createPublicKey(key)),
      });
    }
    if (!this.signers.has('RS256'))
      throw new ConfigurationError([
        'OIDC_SIGNING_KEY_FILE must hold an RSA private key of at least 2048 bits (RS256 is required of every OpenID Provider)',
      ]);
    const published = signing.map(({ key, algorithm }) => ({
      key: createPublicKey(key),
      algorithm: algorithm as IdTokenAlgorithm,
    }));
    const previous = config.get('auth.OIDC_PREVIOUS_PUBLIC_KEY_FILE', {
      infer: true,
    });
    if (previous)
      for (const { key, algorithm } of loadKeys(
        'OIDC_PREVIOUS_PUBLIC_KEY_FILE',
        previous,
        createPublicKey,
      )) {
        if (algorithm === null)
          throw new ConfigurationError([
            'OIDC_PREVIOUS_PUBLIC_KEY_FILE must hold RSA public keys of at least 2048 bits or EC public keys on P-256',
          ]);
        published.push({ key, algorithm });
      }
    this.jwks = published.map(({ key, algorithm }) => {
      const kid = thumbprint(key);
      this.verificationKeys.set(kid, { key, algorithm });
      return {
        ...key.export({ format: 'jwk' }),
        kid,
        alg: algorithm,
        use: 'sig',
      };
    });
  }

  /** The algorithms ID tokens can be signed with here (`id_token_signing_alg_values_supported`). */
  get algorithms(): IdTokenAlgorithm[] {
    return [...this.signers.keys()];
  }

  supports(algorithm: IdTokenAlgorithm): boolean {
    return this.signers.has(algorithm);
  }

  /** The key and `kid` that sign with `algorithm`; registration only allows what is here. */
  signer(algorithm: IdTokenAlgorithm): Signer {
    const signer = this.signers.get(algorithm);
    if (!signer)
      throw new Error(`no ${algorithm} key in OIDC_SIGNING_KEY_FILE`);
    return signer;
  }

  /**
   * A secret for `purpose` that every instance sharing OIDC_SIGNING_KEY_FILE derives alike
   * (HKDF-SHA256 from the RSA key), so state such as DPoP nonces needs no setting of its own.
   */
  derivedSecret(purpose: string): Buffer {
    const material = this.signer('RS256').key.export({
      type: 'pkcs8',
      format: 'der',
    });
    return Buffer.from(
      hkdfSync('sha256', material, '', `warden ${purpose}`, 32),
    );
  }

  /** The published key a `kid` names, with its algorithm; undefined for any other `kid`. */
  verificationKey(
    kid: string,
  ): { key: KeyObject; algorithm: IdTokenAlgorithm } | undefined {
    return this.verificationKeys.get(kid);
  }
}
