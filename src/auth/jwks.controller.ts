import { Controller, Get, Header, NotFoundException } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import { Public } from '../access/auth.decorator.js';
import { JwtKeys, type PublicJwk } from './jwt-keys.js';

@ApiTags('auth')
@Controller('.well-known')
@Public()
export class JwksController {
  constructor(private readonly keys: JwtKeys) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary:
      'Public keys that verify access tokens (RS256/ES256 modes; 404 with HS256)',
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
  @ApiNotFoundResponse({
    description: 'HS256 mode: there is no public key',
    type: ProblemDetailsDto,
  })
  jwks(): { keys: PublicJwk[] } {
    if (this.keys.jwks.length === 0) {
      throw new NotFoundException('HS256 mode publishes no keys');
    }
    return { keys: this.keys.jwks };
  }
}
