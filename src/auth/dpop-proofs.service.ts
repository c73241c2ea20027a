import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  constants,
  createHash,
  createHmac,
  type KeyObject,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import { type DpopAlgorithm, DPOP_ALGORITHMS, DpopKeys } from './dpop-keys.js';
import { OidcKeys } from '../authorization/oidc-keys.js';
import type { Settings } from '../config/settings.js';
import { ReplayGuard } from '../replay/replay-guard.service.js';

export { DPOP_ALGORITHMS };
/** How old a proof may be (its `iat`): it is made for one request, now. */
const MAX_AGE_SECONDS = 60;
/** How far in the future a proof's `iat` may be: clocks differ a little. */
const CLOCK_TOLERANCE_SECONDS = 5;
/** A nonce is good for the window it was made in and the next one. */
const NONCE_WINDOW_MS = 150_000;
/** Longer than any proof a client makes; a bound on what is hashed and verified. */
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;

/** The request a proof must be for. */
export interface DpopRequest {
  /** The HTTP method (`htm`). */
  method: string;
  /** The path the request was made to, without the query (`htu` is PUBLIC_URL and this). */
  path: string;
  /** For a protected route: the access token the proof must be bound to (`ath`). */
  accessToken?: string;
}

export type DpopVerdict =
  | { ok: true; jkt: string }
  | { ok: false; error: 'invalid_dpop_proof'; reason: string }
  | { ok: false; error: 'use_dpop_nonce'; reason: string; nonce: string };

/**
 * DPoP proofs (RFC 9449 §4.3): a JWT of type `dpop+jwt`, signed with an asymmetric algorithm by
 * the public key in its own header (`DpopKeys` admits public keys only; jsonwebtoken checks the
 * signature, synchronously with node:crypto, as for access tokens), for this request's method and URL (`htu` against PUBLIC_URL and the path, never the Host
 * header), made in the last minute, with `ath` for an access token, a `jti` used once on any
 * instance (`ReplayGuard`), and under DPOP_NONCE=required a nonce of this server. The key's
 * thumbprint (`jkt`, RFC 7638) is what tokens are bound to.
 */
@Injectable()
export class DpopProofs {
  readonly nonceRequired: boolean;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly nonceKey: Buffer;
  private readonly keys = new DpopKeys();

  constructor(
    private readonly replays: ReplayGuard,
    oidcKeys: OidcKeys,
    config: ConfigService<Settings, true>,
  ) {
    this.nonceRequired =
      config.get('auth.DPOP_NONCE', { infer: true }) === 'required';
    const publicUrl = new URL(config.get('app.PUBLIC_URL', { infer: true }));
    this.origin = publicUrl.origin;
    this.basePath = publicUrl.pathname.replace(/\/$/, '');
    this.nonceKey = oidcKeys.derivedSecret('dpop nonce');
  }

  async verify(proof: string, request: DpopRequest): Promise<DpopVerdict> {
    if (proof.length > MAX_PROOF_LENGTH)
      return invalid('the DPoP header must hold one proof');
    const header = decodeHeader(proof);
    if (!header) return invalid('the DPoP header is not a valid proof');
    if (
      typeof header.typ !== 'string' ||
      header.typ.toLowerCase() !== 'dpop+jwt'
    )
      return invalid('a DPoP proof must have typ dpop+jwt');
    const alg = header.alg;
    if (!isDpopAlgorithm(alg))
      return invalid(
        `a DPoP proof must be signed with one of ${DPOP_ALGORITHMS.join(', ')}`,
      );
    if ('crit' in header)
      return invalid('a DPoP proof may not declare critical extensions');
    const key = this.keys.publicKey(header.jwk, alg);
    if (typeof key === 'string') return invalid(key);
    const payload = verifiedPayload(proof, alg, key.keyObject);
    if (!payload)
      return invalid("the proof's signature does not verify with its jwk");
    const now = Date.now() / 1000;
    const { iat, jti } = payload;
    if (typeof iat !== 'number')
      return invalid('the proof lacks a valid iat claim');
    if (iat > now + CLOCK_TOLERANCE_SECONDS)
      return invalid("the proof's iat is in the future");
    if (typeof payload.exp === 'number' && payload.exp <= now)
      return invalid('the proof has expired');
    if (iat < now - MAX_AGE_SECONDS)
      return invalid(
        `the proof is older than ${MAX_AGE_SECONDS} s: make one per request`,
      );
    if (payload.htm !== request.method)
      return invalid(`the proof's htm must be ${request.method}`);
    const expected = `${this.origin}${this.basePath}${request.path}`;
    if (typeof payload.htu !== 'string' || !sameTarget(payload.htu, expected))
      return invalid(`the proof's htu must be ${expected}`);
    if (
      typeof jti !== 'string' ||
      jti.length === 0 ||
      jti.length > MAX_JTI_LENGTH
    )
      return invalid(`the proof's jti must be 1-${MAX_JTI_LENGTH} characters`);
    if (request.accessToken !== undefined) {
      const ath = createHash('sha256')
        .update(request.accessToken)
        .digest('base64url');
      if (payload.ath !== ath)
        return invalid(
          "the proof's ath must be the SHA-256 (base64url) of the access token",
        );
    }
    if (this.nonceRequired && !this.isCurrentNonce(payload.nonce))
      return {
        ok: false,
        error: 'use_dpop_nonce',
        reason: 'this server requires a DPoP nonce: use the one in DPoP-Nonce',
        nonce: this.currentNonce(),
      };
    const first = await this.replays.firstUse(
      'dpop',
      `${key.jkt}\n${jti}`,
      new Date((iat + MAX_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS) * 1000),
    );
    return first
      ? { ok: true, jkt: key.jkt }
      : invalid(
          'the proof was used before: make a new one (a new jti) for every request',
        );
  }

  /** The nonce to use now (RFC 9449 §8): the same on every instance, for a few minutes. */
  currentNonce(): string {
    return this.nonceFor(Math.floor(Date.now() / NONCE_WINDOW_MS));
  }

  private isCurrentNonce(nonce: unknown): boolean {
    if (typeof nonce !== 'string') return false;
    const window = Math.floor(Date.now() / NONCE_WINDOW_MS);
    const given = Buffer.from(nonce);
    return [window, window - 1].some((candidate) => {
      const expected = Buffer.from(this.nonceFor(candidate));
      return (
        expected.length === given.length && timingSafeEqual(expected, given)
      );
    });
  }

  private nonceFor(window: number): string {
    return createHmac('sha256', this.nonceKey)
      .update(String(window))
      .digest('base64url');
  }
}

/** The claims of a proof, before they are checked. */
interface DpopClaims {
  iat?: unknown;
  exp?: unknown;
  jti?: unknown;
  htm?: unknown;
  htu?: unknown;
  ath?: unknown;
  nonce?: unknown;
}

const isDpopAlgorithm = (alg: unknown): alg is DpopAlgorithm =>
  (DPOP_ALGORITHMS as readonly unknown[]).includes(alg);

/**
 * RFC 7515 compact serialisation, verified with node:crypto for exactly `alg` and the key
 * `DpopKeys` admitted for it: the payload, or null. Written out instead of jsonwebtoken's
 * `verify`, which converts ECDSA signatures from JOSE to DER and back and costs a DPoP request
 * about 40 µs more (`npm run bench`, "DPoP / bearer"): every DPoP request pays this.
 */
function verifiedPayload(
  token: string,
  alg: DpopAlgorithm,
  key: KeyObject,
): DpopClaims | null {
  const [header, payload, signature] = token.split('.');
  let valid: boolean;
  try {
    valid = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      alg === 'ES256'
        ? { key, dsaEncoding: 'ieee-p1363' }
        : alg === 'PS256'
          ? {
              key,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
            }
          : key,
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    // A signature of the wrong length for the curve, say.
    return null;
  }
  if (!valid) return null;
  try {
    const claims: unknown = JSON.parse(
      Buffer.from(payload, 'base64url').toString('utf8'),
    );
    return typeof claims === 'object' &&
      claims !== null &&
      !Array.isArray(claims)
      ? claims
      : null;
  } catch {
    return null;
  }
}

/** The protected header of a compact JWS, or null when it is none. */
function decodeHeader(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header: unknown = JSON.parse(
      Buffer.from(parts[0], 'base64url').toString('utf8'),
    );
    return typeof header === 'object' &&
      header !== null &&
      !Array.isArray(header)
      ? (header as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const invalid = (reason: string): DpopVerdict => ({
  ok: false,
  error: 'invalid_dpop_proof',
  reason,
});

/** RFC 9449 §4.3: `htu` without its query and fragment, compared after URL normalisation. */
function sameTarget(htu: string, expected: string): boolean {
  const url = URL.parse(htu);
  return url !== null && `${url.origin}${url.pathname}` === expected;
}
