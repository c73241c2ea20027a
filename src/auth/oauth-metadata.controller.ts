import { SUPPORTED_GRANT_TYPES } from './grants/token-grants.js';
import { Controller, Get, Header } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Settings } from '../config/settings.js';
import { Public } from '../access/auth.decorator.js';
import { OAuthMetadataDto } from './dto/oauth-metadata.dto.js';
import { JwtKeys } from './jwt-keys.js';
import { ALL_SCOPES } from '../roles/scopes.js';

/**
 * RFC 8414 authorization server metadata, so standard clients configure themselves
 * (openid-client's `discovery()`, for one). Warden is an OAuth 2.0 server, not an OpenID
 * provider (it issues no ID tokens and has no userinfo endpoint), so it serves no
 * `/.well-known/openid-configuration`.
 */
@ApiTags('auth')
@Controller('.well-known')
@Public()
export class OAuthMetadataController {
  private readonly issuer: string;
  private readonly base: string;

  constructor(
    private readonly keys: JwtKeys,
    config: ConfigService<Settings, true>,
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
      token_endpoint: `${base}/auth/token`,
      revocation_endpoint: `${base}/auth/revoke`,
      ...(this.keys.jwks.length > 0
        ? { jwks_uri: `${base}/.well-known/jwks.json` }
        : {}),
      scopes_supported: [...ALL_SCOPES],
      // No authorization endpoint: the password and refresh_token grants need none.
      response_types_supported: [],
      grant_types_supported: [...SUPPORTED_GRANT_TYPES],
      // No registered clients: `client_id` is accepted and ignored, never authenticated.
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
      service_documentation: `${base}/docs`,
    };
  }
}
