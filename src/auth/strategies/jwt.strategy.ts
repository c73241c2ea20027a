import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import type { Jwt } from 'jsonwebtoken';
import { Strategy } from 'passport-jwt';
import { SessionsService } from '../../sessions/sessions.service.js';
import { UsersService } from '../../users/users.service.js';
import { AccessTokenService } from '../access-token.service.js';
import { readBearerCredentials } from '../bearer-token.js';
import { JwtKeys } from '../jwt-keys.js';
import type { Principal } from '../principal.js';
import { effectiveScopes } from '../scopes.js';

/**
 * The verification path for access tokens on every protected route. jsonwebtoken checks the
 * signature, `exp` and `nbf`, and exactly one algorithm, the issuer and the audience: pinned at
 * the top level of the options, because passport-jwt silently drops them when they are given
 * only inside `jsonWebTokenOptions`. `validate()` adds Warden's own claim rules
 * (`AccessTokenService.claimsOf`), then requires the user to exist and be enabled and the
 * session to be active. Both lookups are memory hits for a warm user.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    keys: JwtKeys,
  ) {
    const { algorithms, issuer, audience } = accessTokens.verifyOptions;
    super({
      jwtFromRequest: (request: FastifyRequest) => {
        const credentials = readBearerCredentials(request);
        return credentials.kind === 'token' ? credentials.token : null;
      },
      secretOrKeyProvider: (_request, rawToken: string, done) => {
        const key = keys.verificationKeyFor(rawToken);
        // @types/passport-jwt predates KeyObject keys; jsonwebtoken 9 accepts them (and
        // verifies ~50x faster than with a string secret).
        if (key) done(null, key as unknown as Buffer);
        else done(new Error('no key for this token'));
      },
      algorithms,
      issuer,
      audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { ...accessTokens.verifyOptions, complete: true },
    });
  }

  async validate(token: Jwt): Promise<Principal | null> {
    const claims = this.accessTokens.claimsOf(token);
    if (!claims) return null;
    const user = await this.users.findActiveById(claims.sub);
    if (!user || !(await this.sessions.isActive(claims.sid, claims.sub)))
      return null;
    return {
      user,
      sessionId: claims.sid,
      tokenId: claims.jti,
      scopes: effectiveScopes(claims.scope, user.roles),
      expiresAt: claims.exp,
    };
  }
}
