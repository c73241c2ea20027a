import { Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../access/auth.decorator.js';
import { CurrentUser } from '../access/current-user.decorator.js';
import type { UserPrincipal } from '../access/principal.js';
import { NoStore } from '../common/no-store.decorator.js';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import { UsersService } from '../users/users.service.js';
import { UserInfoDto } from './dto/userinfo.dto.js';
import { userClaims } from './id-token.service.js';
import { BearerChallengeException } from './jwt-auth.guard.js';

/**
 * OpenID Connect's UserInfo endpoint (Core §5.3): the claims an access token's claim scopes
 * release about its user. It needs a token granted `openid`; the API scopes play no part.
 */
@ApiTags('auth')
@Controller('userinfo')
export class UserInfoController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Auth()
  @NoStore()
  @ApiOperation({
    summary:
      'OpenID Connect UserInfo: claims about the user, as the token’s claim scopes allow',
  })
  @ApiOkResponse({ type: UserInfoDto })
  @ApiForbiddenResponse({
    description: '`insufficient_scope`: the token was not granted `openid`',
    type: ProblemDetailsDto,
  })
  get(@CurrentUser() principal: UserPrincipal): Promise<UserInfoDto> {
    return this.claims(principal);
  }

  /** Core §5.3.1: the same, by POST (the token in the Authorization header). */
  @Post()
  @HttpCode(HttpStatus.OK)
  @Auth()
  @NoStore()
  @ApiOperation({ summary: 'OpenID Connect UserInfo, by POST' })
  @ApiOkResponse({ type: UserInfoDto })
  @ApiForbiddenResponse({
    description: '`insufficient_scope`: the token was not granted `openid`',
    type: ProblemDetailsDto,
  })
  post(@CurrentUser() principal: UserPrincipal): Promise<UserInfoDto> {
    return this.claims(principal);
  }

  private async claims(principal: UserPrincipal): Promise<UserInfoDto> {
    if (!principal.claimScopes.has('openid'))
      throw new BearerChallengeException(
        HttpStatus.FORBIDDEN,
        'This request needs the scope: openid',
        'insufficient_scope',
        { scope: 'openid' },
      );
    const user = await this.users.findByIdCached(principal.userId);
    // The guard found the account active a moment ago; gone since, the token is worthless.
    if (!user)
      throw new BearerChallengeException(
        HttpStatus.UNAUTHORIZED,
        'The access token is invalid',
        'invalid_token',
      );
    return userClaims(user, principal.claimScopes);
  }
}
