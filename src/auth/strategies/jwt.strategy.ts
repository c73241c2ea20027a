import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { isUUID } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import type { Jwt, JwtPayload } from 'jsonwebtoken';
import { Strategy } from 'passport-jwt';
import type { Config } from '../../config/environment.js';
import { UsersService } from '../../users/users.service.js';
import { ACCESS_TOKEN_TYPE } from '../access-token.service.js';
import { readBearerCredentials } from '../bearer-token.js';
import { JwtKeys } from '../jwt-keys.js';
import type { Principal } from '../principal.js';
import { grantedScopes, isScope, type Scope } from '../scopes.js';

const CLOCK_TOLERANCE_SECONDS = 5;
const ACCEPTED_TYPES = new Set([
  ACCESS_TOKEN_TYPE,
  `application/${ACCESS_TOKEN_TYPE}`,
]);

/**
 * The one verification path for access tokens. jsonwebtoken checks the signature, `exp`, `nbf`,
 * and (pinned at the top level of the options: passport-jwt silently drops them when they are
 * given only inside `jsonWebTokenOptions`) exactly one algorithm, the issuer and the audience.
 * `validate()` then checks what jsonwebtoken does not: the `at+jwt` type, that `exp` is present
 * and no further from `iat` than the configured lifetime, the claim types, and that the user
 * still exists and is enabled.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  private readonly maxLifetime: number;

  constructor(
    private readonly users: UsersService,
    keys: JwtKeys,
    config: ConfigService<Config, true>,
  ) {
    super({
      jwtFromRequest: (request: FastifyRequest) => {
        const credentials = readBearerCredentials(request);
        return credentials.kind === 'token' ? credentials.token : null;
      },
      // @types/passport-jwt predates KeyObject keys; jsonwebtoken 9 accepts them (and verifies
      // ~50x faster than with a string secret).
      secretOrKey: keys.verificationKey as unknown as Buffer,
      algorithms: [keys.algorithm],
      issuer: config.get('JWT_ISSUER', { infer: true }),
      audience: config.get('JWT_AUDIENCE', { infer: true }),
      ignoreExpiration: false,
      jsonWebTokenOptions: {
        complete: true,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      },
    });
    this.maxLifetime = config.get('ACCESS_TOKEN_TTL', { infer: true });
  }

  async validate(token: Jwt): Promise<Principal | null> {
    const { header, payload } = token;
    if (
      typeof payload !== 'object' ||
      !this.hasValidShape(header.typ, payload)
    ) {
      return null;
    }
    const user = await this.users.findById(payload.sub);
    if (!user || user.disabled) return null;

    const granted = grantedScopes(user.roles);
    const scopes = new Set<Scope>();
    for (const scope of payload.scope.split(' ')) {
      if (isScope(scope) && granted.has(scope)) scopes.add(scope);
    }
    return {
      user,
      sessionId: payload.sid,
      tokenId: payload.jti,
      scopes,
      expiresAt: payload.exp,
    };
  }

  private hasValidShape(
    type: string | undefined,
    payload: JwtPayload,
  ): payload is AccessTokenClaims {
    const nowSeconds = Date.now() / 1000;
    return (
      typeof type === 'string' &&
      ACCEPTED_TYPES.has(type.toLowerCase()) &&
      typeof payload.sub === 'string' &&
      isUUID(payload.sub) &&
      typeof payload.sid === 'string' &&
      typeof payload.jti === 'string' &&
      typeof payload.scope === 'string' &&
      typeof payload.iat === 'number' &&
      typeof payload.exp === 'number' &&
      payload.iat <= nowSeconds + CLOCK_TOLERANCE_SECONDS &&
      payload.exp - payload.iat <= this.maxLifetime
    );
  }
}

interface AccessTokenClaims extends JwtPayload {
  sub: string;
  sid: string;
  jti: string;
  scope: string;
  iat: number;
  exp: number;
}
