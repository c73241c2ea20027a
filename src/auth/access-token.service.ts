import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService, type JwtSignOptions } from '@nestjs/jwt';
import jwt, { type Jwt, type JwtPayload } from 'jsonwebtoken';
import { isUUID } from 'class-validator';
import { type KeyObject, randomUUID } from 'node:crypto';
import type { Settings } from '../config/settings.js';
import type { JwtAlgorithm } from './auth.settings.js';
import { JwtKeys } from './jwt-keys.js';
import type { ClaimScope, Scope } from '../roles/scopes.js';
import type { Authentication } from '../sessions/authentication.js';

/** The header `typ` of Warden's access tokens (RFC 9068 §2.1). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
const ACCEPTED_TYPES = new Set([
  ACCESS_TOKEN_TYPE,
  `application/${ACCESS_TOKEN_TYPE}`,
]);
const CLOCK_TOLERANCE_SECONDS = 5;
/** Valid tokens remembered at once (~1 KB each). */
const VERIFIED_TOKENS_MAX = 10_000;
const MAX_AMR_VALUES = 8;

export interface AccessTokenClaims extends JwtPayload {
  sub: string;
  sid: string;
  jti: string;
  scope: string;
  iat: number;
  exp: number;
  /** RFC 8176 method values; tokens issued before Warden set it meant `["pwd"]`. */
  amr?: string[];
  /** When the user signed in (OpenID Connect Core §2); before Warden set it, `iat` stood for it. */
  auth_time?: number;
  /** The registered client the token was issued to (RFC 9068 §2.2); absent for the password grant. */
  client_id?: string;
  /** RFC 9449 §6.1: the thumbprint of the DPoP key the token is bound to. */
  cnf?: { jkt: string };
}

/**
 * A token a client was issued for itself (client credentials, RFC 6749 §4.4): `sub` and
 * `client_id` both name the client (RFC 9068 §2.2), and there is no user, session or sign-in.
 */
export interface ClientTokenClaims extends JwtPayload {
  sub: string;
  client_id: string;
  jti: string;
  scope: string;
  iat: number;
  exp: number;
  sid?: undefined;
  cnf?: { jkt: string };
}

/** The claims of a valid access token: a user's, or a client's own. */
export type VerifiedClaims = AccessTokenClaims | ClientTokenClaims;

/** A client's own token has no session: that is what tells it from a user's. */
export const isClientToken = (
  claims: VerifiedClaims,
): claims is ClientTokenClaims => claims.sid === undefined;

/** A client's own access token, as issued. */
export interface IssuedClientToken {
  token: string;
  id: string;
  expiresAt: Date;
}

/** Why an access token is not valid: only expiry gets its own message (RFC 6750 §3.1). */
export type AccessTokenCheck =
  | { valid: true; claims: VerifiedClaims }
  | { valid: false; reason: 'expired' | 'invalid' };

const INVALID: AccessTokenCheck = { valid: false, reason: 'invalid' };
const EXPIRED: AccessTokenCheck = { valid: false, reason: 'expired' };

/**
 * Issues access tokens in the RFC 9068 profile (iss, aud, sub, sid, scope, iat, exp, jti, amr,
 * auth_time; header typ at+jwt), and is the one definition of a valid one (`verify`): every protected route
 * (through `BearerAuthenticationService`) and token revocation ask it.
 */
@Injectable()
export class AccessTokenService {
  readonly ttlSeconds: number;
  /** What jsonwebtoken checks; `JwtStrategy` gives passport-jwt the same. */
  readonly verifyOptions: {
    algorithms: JwtAlgorithm[];
    issuer: [string, ...string[]];
    audience: string;
    clockTolerance: number;
  };
  private readonly signOptions: JwtSignOptions;
  /**
   * Tokens that passed every check, by their exact string: a client sends the same token on
   * every request for its lifetime, and signature and claims cannot change under it, so they are
   * checked once. Expiry is checked on every use; invalid tokens are never remembered.
   */
  private readonly verified = new Map<string, VerifiedClaims>();

  constructor(
    private readonly jwtService: JwtService,
    private readonly keys: JwtKeys,
    config: ConfigService<Settings, true>,
  ) {
    this.ttlSeconds = config.get('auth.ACCESS_TOKEN_TTL', { infer: true });
    const issuer = config.get('auth.JWT_ISSUER', { infer: true });
    const audience = config.get('auth.JWT_AUDIENCE', { infer: true });
    this.verifyOptions = {
      algorithms: [keys.algorithm],
      // Older issuers stay accepted during a rolling upgrade (JWT_ACCEPTED_ISSUERS).
      issuer: [
        issuer,
        ...config.get('auth.JWT_ACCEPTED_ISSUERS', { infer: true }),
      ],
      audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
    this.signOptions = {
      privateKey: keys.signingKey,
      algorithm: keys.algorithm,
      issuer,
      audience,
      expiresIn: this.ttlSeconds,
      header: { alg: keys.algorithm, typ: ACCESS_TOKEN_TYPE, kid: keys.keyId },
    };
  }

  issue(
    userId: string,
    sessionId: string,
    /** API scopes, and OpenID's claim scopes for a client that asked for them. */
    scopes: readonly (Scope | ClaimScope)[],
    authentication: Authentication,
    clientId: string | null = null,
    /** The DPoP key's thumbprint, for a token bound to it (RFC 9449 §6). */
    jkt: string | null = null,
  ): string {
    return this.jwtService.sign(
      {
        sid: sessionId,
        scope: scopes.join(' '),
        amr: authentication.amr,
        auth_time: Math.floor(authentication.time.getTime() / 1000),
        ...(clientId === null ? {} : { client_id: clientId }),
        ...(jkt === null ? {} : { cnf: { jkt } }),
      },
      { ...this.signOptions, subject: userId, jwtid: randomUUID() },
    );
  }

  /** A token for the client itself (the client credentials grant): no user, no session. */
  issueForClient(
    clientId: string,
    scopes: readonly Scope[],
    jkt: string | null = null,
  ): IssuedClientToken {
    const id = randomUUID();
    const token = this.jwtService.sign(
      {
        scope: scopes.join(' '),
        client_id: clientId,
        ...(jkt === null ? {} : { cnf: { jkt } }),
      },
      { ...this.signOptions, subject: clientId, jwtid: id },
    );
    return {
      token,
      id,
      expiresAt: new Date(Date.now() + this.ttlSeconds * 1000),
    };
  }

  /**
   * The signature (the key chosen by `kid`), exactly one algorithm, our issuer and audience,
   * `exp` and `nbf` (jsonwebtoken), then Warden's own claim rules (`claimsOf`); for a token
   * already found valid, only `exp` again. Does not look at the session or the account:
   * `BearerAuthenticationService` does, on every request. Token revocation uses it; protected
   * routes get the same checks through passport-jwt (`JwtStrategy`).
   */
  verify(token: string): AccessTokenCheck {
    const remembered = this.recall(token);
    if (remembered) return remembered;
    const key = this.verificationKeyFor(token);
    if (!key) return INVALID;
    let decoded: Jwt;
    try {
      decoded = jwt.verify(token, key, {
        ...this.verifyOptions,
        complete: true,
      });
    } catch (error) {
      return error instanceof jwt.TokenExpiredError ? EXPIRED : INVALID;
    }
    return this.accept(token, decoded);
  }

  /** The key of the token's `kid` (JWKS rotation), or none for a token no key of ours signed. */
  verificationKeyFor(token: string): KeyObject | undefined {
    return this.keys.verificationKeyFor(token);
  }

  /**
   * What a token already found valid is now (valid, or expired: only `exp` can change), or null
   * for a token not seen or forgotten.
   */
  recall(token: string): AccessTokenCheck | null {
    const remembered = this.verified.get(token);
    if (!remembered) return null;
    if (!expired(remembered)) return { valid: true, claims: remembered };
    this.verified.delete(token);
    return EXPIRED;
  }

  /**
   * The verdict on a token whose signature, issuer, audience and expiry jsonwebtoken has checked
   * (here, or passport-jwt in `JwtStrategy`): Warden's own claim rules, and a valid token is
   * remembered.
   */
  accept(token: string, decoded: Jwt): AccessTokenCheck {
    const claims = this.claimsOf(decoded);
    if (!claims) return INVALID;
    if (this.verified.size >= VERIFIED_TOKENS_MAX) {
      // Maps iterate in insertion order: drop the oldest.
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, claims);
    return { valid: true, claims };
  }

  /**
   * What jsonwebtoken does not check: the `at+jwt` type, that `exp` is present and no further
   * from `iat` than the configured lifetime (so a token minted with a long life is refused), an
   * `iat` not in the future, no `crit` header (RFC 7515 §4.1.11: Warden understands no
   * extension, so a token that declares one critical is invalid), and the types of every claim
   * Warden relies on. A token is a user's (a UUID `sub` and `sid`) or a client's own (no `sid`,
   * no sign-in claims, `sub` equal to `client_id`), never a mixture.
   */
  private claimsOf(token: Jwt): VerifiedClaims | null {
    const { header, payload } = token;
    if (typeof payload !== 'object' || payload === null) return null;
    const nowSeconds = Date.now() / 1000;
    const subject =
      typeof payload.sub === 'string' &&
      (payload.sid === undefined
        ? typeof payload.client_id === 'string' &&
          payload.sub === payload.client_id &&
          !isUUID(payload.sub) &&
          payload.amr === undefined &&
          payload.auth_time === undefined
        : isUUID(payload.sub) &&
          typeof payload.sid === 'string' &&
          isUUID(payload.sid));
    const valid =
      subject &&
      !('crit' in header) &&
      typeof header.typ === 'string' &&
      ACCEPTED_TYPES.has(header.typ.toLowerCase()) &&
      typeof payload.jti === 'string' &&
      typeof payload.scope === 'string' &&
      typeof payload.iat === 'number' &&
      typeof payload.exp === 'number' &&
      payload.iat <= nowSeconds + CLOCK_TOLERANCE_SECONDS &&
      payload.exp - payload.iat <= this.ttlSeconds &&
      (payload.amr === undefined ||
        (Array.isArray(payload.amr) &&
          payload.amr.length <= MAX_AMR_VALUES &&
          payload.amr.every((value) => typeof value === 'string'))) &&
      (payload.auth_time === undefined ||
        (typeof payload.auth_time === 'number' &&
          payload.auth_time <= payload.iat + CLOCK_TOLERANCE_SECONDS)) &&
      (payload.client_id === undefined ||
        typeof payload.client_id === 'string') &&
      (payload.cnf === undefined || isConfirmation(payload.cnf));
    return valid ? (payload as VerifiedClaims) : null;
  }
}

/** RFC 9449 §6.1: `cnf` holds the SHA-256 thumbprint of the key (43 base64url characters). */
const isConfirmation = (cnf: unknown): boolean =>
  typeof cnf === 'object' &&
  cnf !== null &&
  typeof (cnf as { jkt?: unknown }).jkt === 'string' &&
  /^[A-Za-z0-9_-]{43}$/.test((cnf as { jkt: string }).jkt);

/** jsonwebtoken's own rule, for a remembered token: expired once now ≥ exp + tolerance. */
const expired = (claims: VerifiedClaims): boolean =>
  Math.floor(Date.now() / 1000) >= claims.exp + CLOCK_TOLERANCE_SECONDS;
