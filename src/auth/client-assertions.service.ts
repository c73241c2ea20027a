import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
} from 'jose';
import type { Settings } from '../config/settings.js';
import type { Client } from '../clients/client.entity.js';
import { CLIENT_ASSERTION_ALGORITHMS } from '../clients/client-keys.js';
import { ReplayGuard } from '../replay/replay-guard.service.js';

/** RFC 7523 §2.2. */
export const JWT_BEARER_ASSERTION =
  'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** How far ahead an assertion's `exp` may be: it is made for one request. */
const MAX_LIFETIME_SECONDS = 300;
const CLOCK_TOLERANCE_SECONDS = 5;
const MAX_JTI_LENGTH = 256;

/** Why an assertion does not authenticate its client, in words for its developer. */
export type AssertionVerdict = { ok: true } | { ok: false; reason: string };

/**
 * `private_key_jwt` (RFC 7523 §3, OpenID Connect Core §9): a JWT the client signed with one of
 * its registered keys, whose `iss` and `sub` are its `client_id`, whose `aud` is the issuer
 * identifier as a single string (what openid-client and oauth4webapi send; an array is refused,
 * as is the token endpoint's URL: one audience, nothing to confuse), with `exp` at most
 * 5 minutes ahead, `iat` (when present) not in the future, and a `jti` used once on any instance.
 * jose verifies the signature against the registered JWK set, picking the key by `kid`.
 */
@Injectable()
export class ClientAssertions {
  private readonly issuer: string;

  constructor(
    private readonly replays: ReplayGuard,
    config: ConfigService<Settings, true>,
  ) {
    this.issuer = config.get('auth.JWT_ISSUER', { infer: true });
  }

  async verify(client: Client, assertion: string): Promise<AssertionVerdict> {
    if (!client.jwks) return refuse('this client has no registered keys');
    let alg: unknown;
    try {
      ({ alg } = decodeProtectedHeader(assertion));
    } catch {
      return refuse('client_assertion is not a JWT');
    }
    if (!(CLIENT_ASSERTION_ALGORITHMS as readonly unknown[]).includes(alg))
      return refuse(
        `client_assertion must be signed with one of ${CLIENT_ASSERTION_ALGORITHMS.join(', ')}`,
      );
    let payload;
    try {
      ({ payload } = await jwtVerify(
        assertion,
        createLocalJWKSet(client.jwks),
        {
          algorithms: [...CLIENT_ASSERTION_ALGORITHMS],
          issuer: client.clientId,
          subject: client.clientId,
          requiredClaims: ['exp', 'jti', 'aud'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        },
      ));
    } catch (error) {
      return refuse(describe(error));
    }
    const now = Date.now() / 1000;
    const { aud, exp, iat, jti } = payload;
    if (aud !== this.issuer)
      return refuse(
        `client_assertion's aud must be the issuer identifier ${this.issuer}, as one string`,
      );
    if (
      exp === undefined ||
      exp > now + MAX_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS
    )
      return refuse(
        `client_assertion's exp may be at most ${MAX_LIFETIME_SECONDS} s ahead`,
      );
    if (iat !== undefined && iat > now + CLOCK_TOLERANCE_SECONDS)
      return refuse("client_assertion's iat is in the future");
    if (
      typeof jti !== 'string' ||
      jti.length === 0 ||
      jti.length > MAX_JTI_LENGTH
    )
      return refuse(
        `client_assertion's jti must be a string of 1-${MAX_JTI_LENGTH} characters`,
      );
    const first = await this.replays.firstUse(
      'client-assertion',
      `${client.clientId}\n${jti}`,
      new Date((exp + CLOCK_TOLERANCE_SECONDS) * 1000),
    );
    return first
      ? { ok: true }
      : refuse(
          'client_assertion was used before: make a new one (a new jti) for every request',
        );
  }
}

const refuse = (reason: string): AssertionVerdict => ({ ok: false, reason });

/** jose's refusal, as a developer needs it; nothing of the assertion is echoed. */
function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'client_assertion has expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `client_assertion's ${error.claim} claim is wrong (iss and sub must be the client_id)`;
  if (error instanceof errors.JWKSNoMatchingKey)
    return 'no registered key of this client matches client_assertion (kid, alg)';
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return "client_assertion's signature does not verify with the client's registered keys";
  return 'client_assertion is not a valid JWT';
}
