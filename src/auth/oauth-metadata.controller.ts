import { SUPPORTED_GRANT_TYPES } from './grants/token-grants.js';
import { Controller, Get, Header } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Settings } from '../config/settings.js';
import { Public } from '../access/auth.decorator.js';
import {
  OAuthMetadataDto,
  OpenIdConfigurationDto,
} from './dto/oauth-metadata.dto.js';
import { ACR_MULTI_FACTOR, ACR_PASSWORD } from '../sessions/authentication.js';
import { ALL_SCOPES, CLAIM_SCOPES } from '../roles/scopes.js';
import { CLIENT_ASSERTION_ALGORITHMS } from '../clients/client-keys.js';
import { DPOP_ALGORITHMS } from './dpop-proofs.service.js';
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../clients/client.entity.js';
import { OidcKeys } from '../authorization/oidc-keys.js';

/**
 * RFC 8414 authorization server metadata and the OpenID Provider document (OpenID Connect
 * Discovery §3), so standard clients configure themselves (openid-client's `discovery()`,
 * oauth4webapi's `discoveryRequest()`). Both are built once: they depend on settings only.
 */
@ApiTags('auth')
@Controller('.well-known')
@Public()
export class OAuthMetadataController {
  private readonly issuer: string;
  private readonly base: string;

  constructor(
    config: ConfigService<Settings, true>,
    private readonly oidcKeys: OidcKeys,
  ) {
    // The one issuer (JWT_ISSUER, which is PUBLIC_URL in production), never a request's Host.
    this.issuer = config.get('auth.JWT_ISSUER', { infer: true });
    this.base = config.get('app.PUBLIC_URL', { infer: true });
  }

  @Get('oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary: 'OAuth 2.0 authorization server metadata (RFC 8414)',
  })
  @ApiOkResponse({ type: OAuthMetadataDto })
  metadata(): OAuthMetadataDto {
    const { issuer, base } = this;
    return {
      issuer,
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/auth/token`,
      revocation_endpoint: `${base}/auth/revoke`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      scopes_supported: [...CLAIM_SCOPES, ...ALL_SCOPES],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: [...SUPPORTED_GRANT_TYPES],
      code_challenge_methods_supported: ['S256'],
      dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
      authorization_response_iss_parameter_supported: true,
      // Registered clients authenticate as they registered; the password grant needs no client.
      token_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
      token_endpoint_auth_signing_alg_values_supported: [
        ...CLIENT_ASSERTION_ALGORITHMS,
      ],
      revocation_endpoint_auth_methods_supported: [
        ...TOKEN_ENDPOINT_AUTH_METHODS,
      ],
      revocation_endpoint_auth_signing_alg_values_supported: [
        ...CLIENT_ASSERTION_ALGORITHMS,
      ],
      introspection_endpoint: `${base}/auth/introspect`,
      introspection_endpoint_auth_methods_supported:
        TOKEN_ENDPOINT_AUTH_METHODS.filter((method) => method !== 'none'),
      introspection_endpoint_auth_signing_alg_values_supported: [
        ...CLIENT_ASSERTION_ALGORITHMS,
      ],
      service_documentation: `${base}/docs`,
    };
  }

  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary: 'OpenID Provider metadata (OpenID Connect Discovery 1.0 §3)',
  })
  @ApiOkResponse({ type: OpenIdConfigurationDto })
  openIdConfiguration(): OpenIdConfigurationDto {
    const { base } = this;
    return {
      ...this.metadata(),
      userinfo_endpoint: `${base}/userinfo`,
      end_session_endpoint: `${base}/oauth/logout`,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: this.oidcKeys.algorithms,
      acr_values_supported: [ACR_PASSWORD, ACR_MULTI_FACTOR],
      prompt_values_supported: ['none', 'login', 'consent'],
      claims_supported: [
        'sub',
        'iss',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'nonce',
        'acr',
        'amr',
        'sid',
        'at_hash',
        'preferred_username',
        'name',
        'updated_at',
        'email',
        'email_verified',
      ],
      claims_parameter_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    };
  }
}
