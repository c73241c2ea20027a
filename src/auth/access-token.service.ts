import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService, type JwtSignOptions } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/environment.js';
import { JwtKeys } from './jwt-keys.js';
import type { Scope } from './scopes.js';

/** The header `typ` of Warden's access tokens (RFC 9068 §2.1). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Signs access tokens in the RFC 9068 profile: iss, aud, sub, sid, scope, iat, exp, jti. */
@Injectable()
export class AccessTokenService {
  readonly ttlSeconds: number;
  private readonly signOptions: JwtSignOptions;

  constructor(
    private readonly jwt: JwtService,
    keys: JwtKeys,
    config: ConfigService<Config, true>,
  ) {
    this.ttlSeconds = config.get('ACCESS_TOKEN_TTL', { infer: true });
    this.signOptions = {
      privateKey: keys.signingKey,
      algorithm: keys.algorithm,
      issuer: config.get('JWT_ISSUER', { infer: true }),
      audience: config.get('JWT_AUDIENCE', { infer: true }),
      expiresIn: this.ttlSeconds,
      header: { alg: keys.algorithm, typ: ACCESS_TOKEN_TYPE },
    };
  }

  issue(userId: string, sessionId: string, scopes: readonly Scope[]): string {
    return this.jwt.sign(
      { sid: sessionId, scope: scopes.join(' ') },
      { ...this.signOptions, subject: userId, jwtid: randomUUID() },
    );
  }
}
