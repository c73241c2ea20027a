import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/** What a client's keys may sign with: what `private_key_jwt` accepts (discovery lists them). */
export const CLIENT_ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const;

/** A bound on one registration. */
const MAX_CLIENT_KEYS = 10;
const MIN_RSA_BITS = 2048;
/** Members that only a private or symmetric key has (RFC 7518 §6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * The first problem of a `jwks` registration, or null: at most 10 public RSA (2048 bits or more)
 * or P-256 keys, none carrying a private member, `kid`s distinct where given.
 */
export function clientJwksProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'jwks must be a JWK set: {"keys": [...]}';
  const keys = (value as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0)
    return 'jwks.keys must hold at least one key';
  if (keys.length > MAX_CLIENT_KEYS)
    return `jwks.keys may hold at most ${MAX_CLIENT_KEYS} keys`;
  const kids = new Set<string>();
  for (const [index, key] of keys.entries()) {
    const problem = keyProblem(key);
    if (problem) return `jwks.keys[${index}] ${problem}`;
    const { kid } = key as { kid?: unknown };
    if (kid !== undefined) {
      if (typeof kid !== 'string' || kid.length === 0 || kid.length > 200)
        return `jwks.keys[${index}].kid must be a string of 1-200 characters`;
      if (kids.has(kid)) return `jwks.keys[${index}].kid ${kid} is used twice`;
      kids.add(kid);
    }
  }
  return null;
}

function keyProblem(key: unknown): string | null {
  if (typeof key !== 'object' || key === null || Array.isArray(key))
    return 'must be a JWK object';
  const jwk = key as Record<string, unknown>;
  if (jwk.use !== undefined && jwk.use !== 'sig')
    return 'must be a signing key (use "sig")';
  if (
    jwk.alg !== undefined &&
    !(CLIENT_ASSERTION_ALGORITHMS as readonly unknown[]).includes(jwk.alg)
  )
    return `has an alg other than ${CLIENT_ASSERTION_ALGORITHMS.join(', ')}`;
  const imported = importPublicJwk(jwk);
  return typeof imported === 'string' ? imported : null;
}

/**
 * A public signing key from a JWK, or why it is refused: RSA of at least 2048 bits or P-256, and
 * no private or symmetric member. What clients register (`jwks`) and what DPoP proofs carry.
 */
export function importPublicJwk(jwk: object): KeyObject | string {
  if (PRIVATE_MEMBERS.some((member) => member in jwk))
    return 'is a private or symmetric key: register the public key only';
  let imported: KeyObject;
  try {
    imported = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    return 'is not a valid public JWK';
  }
  const details = imported.asymmetricKeyDetails ?? {};
  if (imported.asymmetricKeyType === 'rsa')
    return (details.modulusLength ?? 0) >= MIN_RSA_BITS
      ? imported
      : `is an RSA key under ${MIN_RSA_BITS} bits`;
  if (imported.asymmetricKeyType === 'ec')
    return details.namedCurve === 'prime256v1'
      ? imported
      : 'is an EC key on a curve other than P-256';
  return 'must be an RSA or a P-256 key';
}
