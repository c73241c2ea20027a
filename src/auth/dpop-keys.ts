import type { KeyObject } from 'node:crypto';
import { importPublicJwk } from '../clients/client-keys.js';
import { thumbprint } from './jwt-keys.js';

/** What a DPoP proof may be signed with (`dpop_signing_alg_values_supported`): asymmetric only. */
export const DPOP_ALGORITHMS = ['ES256', 'RS256', 'PS256'] as const;
export type DpopAlgorithm = (typeof DPOP_ALGORITHMS)[number];

/** Keys remembered at once: a client uses one key for many requests. */
const MAX_KEYS = 10_000;

interface DpopKey {
  keyObject: KeyObject;
  /** RFC 7638 SHA-256 thumbprint: what tokens are bound to. */
  jkt: string;
}

/**
 * The public keys of DPoP proofs' `jwk` headers, as `KeyObject`s with their thumbprints: a client
 * signs every request with the same key, and importing a JWK costs as much as verifying a
 * signature, so each distinct key is imported once (bounded; the oldest is forgotten first).
 */
export class DpopKeys {
  private readonly known = new Map<string, DpopKey>();

  /** The key of a `jwk` header fit for `alg`, or why it is refused. */
  publicKey(jwk: unknown, alg: DpopAlgorithm): DpopKey | string {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
      return 'the proof must carry the public key that signed it in jwk';
    const cacheKey = `${alg} ${JSON.stringify(jwk)}`;
    const known = this.known.get(cacheKey);
    if (known) return known;
    const keyObject = importPublicJwk(jwk);
    if (typeof keyObject === 'string') return `the proof's jwk ${keyObject}`;
    if ((keyObject.asymmetricKeyType === 'ec') !== (alg === 'ES256'))
      return `the proof's jwk is not a key for ${alg}`;
    const key = { keyObject, jkt: thumbprint(keyObject) };
    if (this.known.size >= MAX_KEYS) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
    this.known.set(cacheKey, key);
    return key;
  }
}
