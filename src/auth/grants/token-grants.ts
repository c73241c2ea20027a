import type { Provider } from '@nestjs/common';
import { AuthorizationCodeGrant } from './authorization-code.grant.js';
import { ClientCredentialsGrant } from './client-credentials.grant.js';
import { MfaOtpGrant } from './mfa-otp.grant.js';
import { PasswordGrant } from './password.grant.js';
import { RefreshTokenGrant } from './refresh-token.grant.js';
import type { TokenGrant, TokenGrantClass } from './token-grant.js';
import { TokenEndpoint } from './token-endpoint.service.js';
import { DpopProofs } from '../dpop-proofs.service.js';

/**
 * The grants of the token endpoint. Adding one is a new file implementing `TokenGrant` with its
 * `grantType`, and its class here: the endpoint, the discovery document's
 * `grant_types_supported` and the OpenAPI enum all read this list.
 */
export const TOKEN_GRANTS = [
  AuthorizationCodeGrant,
  PasswordGrant,
  RefreshTokenGrant,
  MfaOtpGrant,
  ClientCredentialsGrant,
] as const satisfies readonly TokenGrantClass[];

export const SUPPORTED_GRANT_TYPES = TOKEN_GRANTS.map(
  (grant) => grant.grantType,
);

/** The grants, and the endpoint that dispatches to them by `grant_type`. */
export const tokenGrantProviders: Provider[] = [
  ...TOKEN_GRANTS,
  {
    provide: TokenEndpoint,
    useFactory: (dpopProofs: DpopProofs, ...grants: TokenGrant[]) =>
      new TokenEndpoint(
        new Map(grants.map((grant, i) => [TOKEN_GRANTS[i].grantType, grant])),
        dpopProofs,
      ),
    inject: [DpopProofs, ...TOKEN_GRANTS],
  },
];
