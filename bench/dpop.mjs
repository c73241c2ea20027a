// DPoP proofs (RFC 9449) for the benches: an ES256 key pair and proofs signed synchronously with
// node:crypto, so that autocannon can make a new one for every request (a proof is used once).
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';

const b64 = (value) =>
  Buffer.from(
    typeof value === 'string' ? value : JSON.stringify(value),
  ).toString('base64url');

/** A P-256 key pair, and a proof maker for it. */
export function dpopKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
  });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const header = b64({
    alg: 'ES256',
    typ: 'dpop+jwt',
    jwk: { kty, crv, x, y },
  });
  return {
    /** A proof for `htm` at `htu`, bound to `accessToken` when one is given. */
    proof(htm, htu, accessToken) {
      const payload = b64({
        htm,
        htu,
        iat: Math.floor(Date.now() / 1000),
        jti: randomUUID(),
        ...(accessToken
          ? {
              ath: createHash('sha256').update(accessToken).digest('base64url'),
            }
          : {}),
      });
      const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
        key: privateKey,
        dsaEncoding: 'ieee-p1363',
      }).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
  };
}

/** A DPoP-bound access token for `username` (password grant with a proof), and its key. */
export async function dpopBoundToken(url, username, password) {
  const key = dpopKey();
  const response = await fetch(`${url}/auth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      dpop: key.proof('POST', `${url}/auth/token`),
    },
    body: new URLSearchParams({ grant_type: 'password', username, password }),
  });
  const body = await response.json();
  if (body.token_type !== 'DPoP')
    throw new Error(`no DPoP-bound token: ${JSON.stringify(body)}`);
  return { key, token: body.access_token };
}
