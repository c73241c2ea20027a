import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';

const MAX_AGE_SECONDS = 60;
const CLOCK_TOLERANCE_SECONDS = 5;
const ALGORITHMS = ['ES256', 'RS256', 'PS256'];

/**
 * The proofs seen in the last minute. One instance is enough for an example: a resource server
 * that runs on several instances keeps them where all instances see them (Redis `SET NX`, as
 * Warden does), or a replay at another instance goes unnoticed.
 */
const seen = new Map<string, number>();

function firstUse(key: string, until: number): boolean {
  const now = Date.now();
  for (const [old, expiry] of seen) if (expiry < now) seen.delete(old);
  if (seen.has(key)) return false;
  seen.set(key, until);
  return true;
}

/**
 * Checks a DPoP proof (RFC 9449 §4.3, §7) for a request to `url` with `method`, bound to
 * `accessToken` and signed by the key whose thumbprint the token names (`jkt`). Returns why it
 * is refused, or null.
 */
export async function dpopProblem(
  proof: string | string[] | undefined,
  request: { method: string; url: string; accessToken: string; jkt: string },
): Promise<string | null> {
  if (typeof proof !== 'string')
    return 'send one DPoP proof in the DPoP header';
  let verified;
  try {
    verified = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ALGORITHMS,
      requiredClaims: ['iat', 'jti', 'htm', 'htu', 'ath'],
    });
  } catch {
    return 'the DPoP proof does not verify';
  }
  const { payload, protectedHeader } = verified;
  const now = Date.now() / 1000;
  const iat = payload.iat ?? 0;
  if (iat > now + CLOCK_TOLERANCE_SECONDS || iat < now - MAX_AGE_SECONDS)
    return 'the DPoP proof is too old or from the future';
  const htu = URL.parse(String(payload.htu));
  if (
    payload.htm !== request.method ||
    !htu ||
    `${htu.origin}${htu.pathname}` !== request.url
  )
    return 'the DPoP proof is for another request';
  const ath = createHash('sha256')
    .update(request.accessToken)
    .digest('base64url');
  if (payload.ath !== ath) return 'the DPoP proof is for another access token';
  if ((await calculateJwkThumbprint(protectedHeader.jwk!)) !== request.jkt)
    return 'the DPoP proof is signed by another key than the token is bound to';
  const key = `${request.jkt}\n${String(payload.jti)}`;
  if (!firstUse(key, (iat + MAX_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS) * 1000))
    return 'the DPoP proof was used before';
  return null;
}
