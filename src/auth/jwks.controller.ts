import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../access/auth.decorator.js';
import { JwtKeys, type PublicJwk } from './jwt-keys.js';
import { OidcKeys } from '../authorization/oidc-keys.js';

@ApiTags('auth')
@Controller('.well-known')
@Public()
export class JwksController {
  private readonly published: { keys: PublicJwk[] };

  /**
   * The access-token keys (RS256/ES256 modes) and the ID-token keys, always: one JWK Set, as
   * the discovery documents name one `jwks_uri`. A key both sign with is listed once.
   */
  constructor(keys: JwtKeys, oidcKeys: OidcKeys) {
    const accessTokenKids = new Set(keys.jwks.map((key) => key.kid));
    this.published = {
      keys: [
        ...keys.jwks,
        ...oidcKeys.jwks.filter((key) => !accessTokenKids.has(key.kid)),
      ],
    };
  }

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary:
      'Public keys that verify ID tokens, and access tokens in the RS256/ES256 modes',
  })
  @ApiOkResponse({
    description: 'A JWK Set (RFC 7517 §5)',
    schema: {
      type: 'object',
      properties: {
        keys: {
          type: 'array',
          items: {
            type: 'object',
            description: 'A public JWK (RFC 7517), with kid, use and alg',
            properties: {
              kty: { type: 'string', enum: ['RSA', 'EC'] },
              kid: { type: 'string' },
              use: { type: 'string', enum: ['sig'] },
              alg: { type: 'string', enum: ['RS256', 'ES256'] },
              n: { type: 'string' },
              e: { type: 'string' },
              crv: { type: 'string' },
              x: { type: 'string' },
              y: { type: 'string' },
            },
          },
        },
      },
    },
  })
  jwks(): { keys: PublicJwk[] } {
    return this.published;
  }
}
