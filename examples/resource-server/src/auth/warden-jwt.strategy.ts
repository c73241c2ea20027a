import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import jwksRsa from 'jwks-rsa';
import type { Jwt, JwtPayload } from 'jsonwebtoken';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { WARDEN, type Warden } from '../warden.js';
import type { Caller } from './caller.js';
import { dpopProblem } from './dpop.js';

/** `Bearer <token>` or `DPoP <token>` (RFC 9449 §7.1), nothing else. */
const CREDENTIALS = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i;

const presented = (request: FastifyRequest) => {
  const match = CREDENTIALS.exec(request.headers.authorization ?? '');
  return match
    ? { scheme: match[1].toLowerCase(), token: match[2] }
    : undefined;
};

/**
 * Warden's access tokens, verified here with no call to Warden: passport-jwt checks the signature
 * against Warden's JWKS (jwks-rsa fetches and caches it, and fetches again for a `kid` it has not
 * seen: Warden's key rotation), the issuer, the audience and the expiry; `validate` checks the
 * RFC 9068 type and, for a DPoP-bound token, the proof. A token revoked at Warden keeps working
 * here until it expires (ACCESS_TOKEN_TTL): routes that cannot wait ask Warden (IntrospectionGuard).
 */
@Injectable()
export class WardenJwtStrategy extends PassportStrategy(
  Strategy,
  'warden-jwt',
) {
  constructor(@Inject(WARDEN) private readonly warden: Warden) {
    super({
      jwtFromRequest: ExtractJwt.fromExtractors([
        (request: FastifyRequest) => presented(request)?.token ?? null,
      ]),
      secretOrKeyProvider: jwksRsa.passportJwtSecret({
        jwksUri: warden.metadata.jwks_uri!,
        cache: true,
        rateLimit: true,
        jwksRequestsPerMinute: 10,
      }),
      issuer: warden.metadata.issuer,
      audience: warden.settings.audience,
      algorithms: ['RS256', 'ES256'],
      passReqToCallback: true,
      // Only options passport-jwt does not set itself are read from here.
      jsonWebTokenOptions: { complete: true },
    });
  }

  /** Each refusal is a 401 with its reason (passport-jwt has checked the rest). */
  async validate(request: FastifyRequest, decoded: Jwt): Promise<Caller> {
    const payload = decoded.payload as JwtPayload & {
      scope?: string;
      client_id?: string;
      cnf?: { jkt?: string };
    };
    if (String(decoded.header.typ).toLowerCase() !== 'at+jwt')
      throw new UnauthorizedException('not an access token');
    const { scheme, token } = presented(request)!;
    const jkt = payload.cnf?.jkt ?? null;
    if ((jkt === null) !== (scheme === 'bearer'))
      throw new UnauthorizedException(
        jkt === null
          ? 'a bearer token is sent as Bearer'
          : 'a DPoP-bound token is sent as DPoP, with a proof',
      );
    if (jkt !== null) {
      const problem = await dpopProblem(request.headers.dpop, {
        method: request.method,
        url: `${this.warden.settings.publicUrl.origin}${request.url.split('?', 1)[0]}`,
        accessToken: token,
        jkt,
      });
      if (problem) throw new UnauthorizedException(problem);
    }
    return {
      subject: String(payload.sub),
      clientId: payload.client_id ?? null,
      scopes: new Set((payload.scope ?? '').split(' ').filter(Boolean)),
      token,
      dpopKey: jkt,
    };
  }
}
