import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Jwt } from 'jsonwebtoken';
import type { IncomingHttpHeaders } from 'node:http';
import { type SecretOrKeyProvider, Strategy } from 'passport-jwt';
import type { TokenRequirements } from '../access/auth.decorator.js';
import type { Principal } from '../access/principal.js';
import { attachAccount } from '../users/current-account.decorator.js';
import {
  type AccessTokenCheck,
  AccessTokenService,
  type VerifiedClaims,
} from './access-token.service.js';
import {
  type BearerFailure,
  BearerAuthenticationService,
} from './bearer-authentication.service.js';
import { type PresentedToken, readAccessToken } from './bearer-token.js';
import { DpopProofs } from './dpop-proofs.service.js';

/** What `JwtAuthGuard` tells the strategy about the route (passport's authenticate options). */
export interface JwtAuthenticateOptions {
  requirements: TokenRequirements;
}

type BearerRequest = {
  headers: IncomingHttpHeaders;
  body?: unknown;
  method: string;
  url: string;
};

const NO_REQUIREMENTS: TokenRequirements = {
  scopes: [],
  sensitive: null,
  clientScopes: null,
};
const NO_KEY = new Error('no key of this server signed the token');

/**
 * passport-jwt's strategy, registered as `jwt` for `JwtAuthGuard`. passport-jwt does its own job
 * for a token this process has not seen: it extracts the token (`readAccessToken`: the
 * Authorization header only, `Bearer` or RFC 9449's `DPoP`) and verifies it with the key of its
 * `kid` and the options of `AccessTokenService.verifyOptions`; `validate` applies Warden's claim
 * rules, checks a DPoP-bound token's proof (`senderProblem`), and hands the claims to
 * `BearerAuthenticationService` (account or client token, session, scopes, step-up). Two things come
 * before it, in `authenticate`: a missing and a malformed header are told apart (RFC 6750 answers
 * them differently; passport-jwt sees "no token" in both), and a token already verified skips the
 * signature (`AccessTokenService.recall`), which is most of a request's cost
 * (docs/decisions.md, "The strategies", measured by `npm run bench:passport-jwt`).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  /** The route's requirements, for `validate`, which passport-jwt calls without them. */
  private readonly requirementsOf = new WeakMap<object, TokenRequirements>();

  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly bearer: BearerAuthenticationService,
    private readonly dpop: DpopProofs,
  ) {
    const { algorithms, issuer, audience, clockTolerance } =
      accessTokens.verifyOptions;
    super({
      jwtFromRequest: (request: BearerRequest) =>
        readAccessToken(request.headers.authorization)?.token ?? null,
      secretOrKeyProvider: ((_request, token: string, done) => {
        const key = accessTokens.verificationKeyFor(token);
        // @types/passport-jwt says string | Buffer; jsonwebtoken takes the KeyObject it is given.
        if (key) done(null, key as unknown as Buffer);
        else done(NO_KEY);
      }) satisfies SecretOrKeyProvider,
      algorithms,
      issuer,
      audience,
      // Only options passport-jwt does not set itself are read from here.
      jsonWebTokenOptions: { clockTolerance, complete: true },
      passReqToCallback: true,
    });
  }

  override authenticate(
    request: BearerRequest,
    options?: JwtAuthenticateOptions,
  ): void {
    const presented = readAccessToken(request.headers.authorization);
    if (presented === undefined) return this.fail({ kind: 'missing' }, 401);
    if (presented === null) return this.fail({ kind: 'malformed' }, 400);
    const requirements = options?.requirements ?? NO_REQUIREMENTS;
    const remembered = this.accessTokens.recall(presented.token);
    if (remembered) {
      this.finish(request, remembered, requirements).then(
        ([principal, failure]) =>
          principal ? this.success(principal) : this.fail(failure, 401),
        (error: unknown) => this.error(error as Error),
      );
      return;
    }
    this.requirementsOf.set(request, requirements);
    // Typed for Express; passport-jwt reads the headers only, through `jwtFromRequest`.
    super.authenticate(
      request as Parameters<Strategy['authenticate']>[0],
      options,
    );
  }

  /** passport-jwt's verify callback: the token passed jsonwebtoken's checks. */
  async validate(
    request: BearerRequest,
    decoded: Jwt,
  ): Promise<[Principal | false, BearerFailure?]> {
    const token = readAccessToken(request.headers.authorization)?.token ?? '';
    return this.finish(
      request,
      this.accessTokens.accept(token, decoded),
      this.requirementsOf.get(request) ?? NO_REQUIREMENTS,
    );
  }

  private async finish(
    request: BearerRequest,
    check: AccessTokenCheck,
    requirements: TokenRequirements,
  ): Promise<[Principal | false, BearerFailure?]> {
    if (!check.valid)
      return [false, { kind: 'invalid_token', reason: check.reason }];
    const presented = readAccessToken(request.headers.authorization);
    const unbound =
      presented && (await this.senderProblem(request, presented, check.claims));
    if (unbound) return [false, unbound];
    const result = await this.bearer.principalFor(
      check.claims,
      requirements,
      request.body,
    );
    if (!result.ok) return [false, result.failure];
    if (result.account) attachAccount(request, result.account);
    return [result.principal];
  }

  /**
   * RFC 9449 §7: a token bound to a DPoP key (`cnf.jkt`) is accepted only under the DPoP scheme
   * with a proof for this request, signed by that key; a bearer token is not accepted under the
   * DPoP scheme. Null when the token is presented as it must be.
   */
  private async senderProblem(
    request: BearerRequest,
    presented: PresentedToken,
    claims: VerifiedClaims,
  ): Promise<BearerFailure | null> {
    const jkt = claims.cnf?.jkt;
    if (presented.scheme === 'Bearer')
      return jkt === undefined
        ? null
        : { kind: 'invalid_token', reason: 'dpop_bound' };
    if (jkt === undefined)
      return { kind: 'invalid_token', reason: 'not_dpop_bound' };
    const proof = request.headers.dpop;
    if (typeof proof !== 'string')
      return {
        kind: 'invalid_dpop_proof',
        reason: 'a DPoP-bound token needs a DPoP proof with every request',
      };
    const verdict = await this.dpop.verify(proof, {
      method: request.method,
      path: request.url.split('?', 1)[0],
      accessToken: presented.token,
    });
    if (!verdict.ok)
      return verdict.error === 'use_dpop_nonce'
        ? {
            kind: 'use_dpop_nonce',
            reason: verdict.reason,
            nonce: verdict.nonce,
          }
        : { kind: 'invalid_dpop_proof', reason: verdict.reason };
    return verdict.jkt === jkt
      ? null
      : {
          kind: 'invalid_dpop_proof',
          reason:
            'the proof is signed by another key than the one the token is bound to',
        };
  }
}
