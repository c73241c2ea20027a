import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { calculateJwkThumbprint, EmbeddedJWK, errors, jwtVerify } from 'jose';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { OidcKeys } from '../authorization/oidc-keys.js';
import type { Settings } from '../config/settings.js';
import { ReplayGuard } from '../replay/replay-guard.service.js';

/** What a DPoP proof may be signed with (`dpop_signing_alg_values_supported`): asymmetric only. */
export const DPOP_ALGORITHMS = ['ES256', 'RS256', 'PS256'] as const;
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
 * the public key in its own header (jose checks that the key is public and the signature is
 * its), for this request's method and URL (`htu` against PUBLIC_URL and the path, never the Host
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
    if (proof.length > MAX_PROOF_LENGTH || proof.includes(','))
      return invalid('the DPoP header must hold one proof');
    let verified;
    try {
      verified = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: [...DPOP_ALGORITHMS],
        requiredClaims: ['iat', 'jti', 'htm', 'htu'],
      });
    } catch (error) {
      return invalid(describe(error));
    }
    const { payload, protectedHeader } = verified;
    const now = Date.now() / 1000;
    const iat = payload.iat ?? 0;
    if (iat > now + CLOCK_TOLERANCE_SECONDS)
      return invalid("the proof's iat is in the future");
    if (iat < now - MAX_AGE_SECONDS)
      return invalid(
        `the proof is older than ${MAX_AGE_SECONDS} s: make one per request`,
      );
    if (payload.htm !== request.method)
      return invalid(`the proof's htm must be ${request.method}`);
    const expected = `${this.origin}${this.basePath}${request.path}`;
    if (typeof payload.htu !== 'string' || !sameTarget(payload.htu, expected))
      return invalid(`the proof's htu must be ${expected}`);
    const { jti } = payload;
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
    // `jwk` is there: EmbeddedJWK verified the signature with it.
    const jkt = await calculateJwkThumbprint(protectedHeader.jwk!, 'sha256');
    const first = await this.replays.firstUse(
      'dpop',
      `${jkt}\n${jti}`,
      new Date((iat + MAX_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS) * 1000),
    );
    return first
      ? { ok: true, jkt }
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

/** jose's refusal, as a client's developer needs it. */
function describe(error: unknown): string {
  if (error instanceof errors.JWTClaimValidationFailed)
    return error.claim === 'typ'
      ? 'a DPoP proof must have typ dpop+jwt'
      : `the proof lacks a valid ${error.claim} claim`;
  if (error instanceof errors.JOSEAlgNotAllowed)
    return `a DPoP proof must be signed with one of ${DPOP_ALGORITHMS.join(', ')}`;
  if (error instanceof errors.JWSInvalid)
    return 'the proof must carry the public key that signed it in jwk (a public key only)';
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return "the proof's signature does not verify with its jwk";
  return 'the DPoP header is not a valid proof';
}
