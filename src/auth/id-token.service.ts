import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import jwt from 'jsonwebtoken';
import { createHash } from 'node:crypto';
import type { Settings } from '../config/settings.js';
import type { ClaimScope } from '../roles/scopes.js';
import { acrOf } from '../sessions/authentication.js';
import type { Session } from '../sessions/session.entity.js';
import type { User } from '../users/user.entity.js';
import type { UserInfoDto } from './dto/userinfo.dto.js';
import { OidcKeys } from '../authorization/oidc-keys.js';
import type { IdTokenAlgorithm } from '../clients/client.entity.js';

/** The claims about a user that OpenID's claim scopes release (Core §5.4). */
export function userClaims(
  user: User,
  scopes: ReadonlySet<ClaimScope>,
): UserInfoDto {
  return {
    sub: user.id,
    ...(scopes.has('profile')
      ? {
          preferred_username: user.username,
          ...(user.fullName ? { name: user.fullName } : {}),
          updated_at: Math.floor(user.updatedAt.getTime() / 1000),
        }
      : {}),
    ...(scopes.has('email')
      ? { email: user.email, email_verified: user.emailVerifiedAt !== null }
      : {}),
  };
}

/**
 * ID tokens (OpenID Connect Core §2, §3.1.3.6): signed with the OIDC key of the client's
 * algorithm (RS256 unless it registered ES256), for the client
 * (`aud`), about the sign-in of the browser session the client's session came from (`sid`,
 * `auth_time`, `amr`, `acr`), bound to the access token issued beside it (`at_hash`) and to the
 * request (`nonce`). `typ` is `JWT`, never `at+jwt`, so an ID token is refused as a bearer token.
 */
@Injectable()
export class IdTokenService {
  private readonly issuer: string;
  private readonly ttlSeconds: number;

  constructor(
    private readonly keys: OidcKeys,
    config: ConfigService<Settings, true>,
  ) {
    this.issuer = config.get('auth.JWT_ISSUER', { infer: true });
    this.ttlSeconds = config.get('auth.ACCESS_TOKEN_TTL', { infer: true });
  }

  issue(grant: {
    user: User;
    session: Session;
    claimScopes: ReadonlySet<ClaimScope>;
    accessToken: string;
    nonce: string | null;
    /** The client's `id_token_signed_response_alg`. */
    algorithm: IdTokenAlgorithm;
  }): string {
    const { user, session } = grant;
    const amr = session.amr.split(' ');
    const now = Math.floor(Date.now() / 1000);
    const signer = this.keys.signer(grant.algorithm);
    return jwt.sign(
      {
        ...userClaims(user, grant.claimScopes),
        iss: this.issuer,
        aud: session.clientId,
        iat: now,
        exp: now + this.ttlSeconds,
        auth_time: Math.floor(session.authTime.getTime() / 1000),
        ...(grant.nonce === null ? {} : { nonce: grant.nonce }),
        acr: acrOf(amr),
        amr,
        at_hash: leftHalfHash(grant.accessToken),
        sid: session.parentId ?? session.id,
      },
      signer.key,
      {
        algorithm: grant.algorithm,
        header: { alg: grant.algorithm, typ: 'JWT', kid: signer.keyId },
      },
    );
  }
}

/** Core §3.1.3.6: base64url of the left half of the SHA-256 of the token's ASCII. */
const leftHalfHash = (token: string): string =>
  createHash('sha256')
    .update(token, 'ascii')
    .digest()
    .subarray(0, 16)
    .toString('base64url');
