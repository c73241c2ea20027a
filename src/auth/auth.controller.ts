import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { Client, type ClientInfo } from '../common/client-info.js';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import { NoStore } from '../common/no-store.decorator.js';
import {
  AUTH_ROUTE,
  OAuthEndpoint,
  RouteFacts,
} from '../common/route-facts.js';
import { AuthRateLimited } from '../rate-limit/auth-rate-limit.decorator.js';
import type { User } from '../users/user.entity.js';
import { AuthService } from './auth.service.js';
import { Auth, OptionalAuth, Public } from '../access/auth.decorator.js';
import { CurrentUser } from '../access/current-user.decorator.js';
import { LoginDto } from './dto/login.dto.js';
import { SignupDto } from './dto/signup.dto.js';
import { TokenRequestDto } from './dto/token-request.dto.js';
import {
  MfaRequiredDto,
  OAuthErrorDto,
  PendingSignupResponseDto,
  SignupResponseDto,
  TokenResponseDto,
} from './dto/token-response.dto.js';
import { LocalAuthGuard, PasswordVerifiedUser } from './local-auth.guard.js';
import { OAuthParams, parseRevocationRequest } from './oauth-requests.js';
import { TokenEndpoint } from './grants/token-endpoint.service.js';
import { ClientAuthentication } from './client-authentication.service.js';
import { LogoutDto, RefreshDto } from './dto/refresh.dto.js';
import { RevocationRequestDto } from './dto/revocation-request.dto.js';
import {
  IntrospectionRequestDto,
  IntrospectionResponseDto,
} from './dto/introspection.dto.js';
import { TokenIntrospection } from './token-introspection.service.js';
import type { UserPrincipal } from '../access/principal.js';
import { MfaVerifyDto } from '../mfa/dto/mfa.dto.js';
import { secondFactorProof } from '../mfa/dto/second-factor.dto.js';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly tokenEndpoint: TokenEndpoint,
    private readonly introspection: TokenIntrospection,
    private readonly clientAuthentication: ClientAuthentication,
  ) {}

  @Post(['auth/signup', 'user/signup'])
  @Public()
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @NoStore()
  @ApiOperation({
    summary:
      'Create an account and sign in; a verification link is mailed (EMAIL_VERIFICATION)',
  })
  @ApiExtraModels(SignupResponseDto, PendingSignupResponseDto)
  @ApiCreatedResponse({
    description:
      'Tokens and the user; under EMAIL_VERIFICATION=required, the user and `verification_required` only',
    schema: {
      oneOf: [
        { $ref: getSchemaPath(SignupResponseDto) },
        { $ref: getSchemaPath(PendingSignupResponseDto) },
      ],
    },
  })
  @ApiBadRequestResponse({
    description: 'A field is invalid (the message names it)',
    type: ProblemDetailsDto,
  })
  @ApiConflictResponse({
    description: 'The email or username is taken',
    type: ProblemDetailsDto,
  })
  signup(
    @Body() dto: SignupDto,
    @Client() client: ClientInfo,
  ): Promise<SignupResponseDto | PendingSignupResponseDto> {
    return this.auth.signup(dto, client);
  }

  @Post(['auth/login', 'login', 'user/login'])
  @Public()
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @HttpCode(HttpStatus.OK)
  @UseGuards(LocalAuthGuard)
  @NoStore()
  @ApiOperation({ summary: 'Sign in with a username (or email) and password' })
  @ApiConsumes(JSON_TYPE, FORM)
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({
    description: 'A field is missing or not a string',
    type: ProblemDetailsDto,
  })
  @ApiForbiddenResponse({
    description:
      '`email_not_verified`: the password is right, but EMAIL_VERIFICATION=required and the address is not verified yet',
    type: ProblemDetailsDto,
  })
  @ApiExtraModels(MfaRequiredDto)
  @ApiUnauthorizedResponse({
    description:
      'Incorrect username or password; or `mfa_required` with an `mfa_token`: the password is right and a second factor is due (POST /auth/mfa/verify)',
    schema: {
      oneOf: [
        { $ref: getSchemaPath(ProblemDetailsDto) },
        { $ref: getSchemaPath(MfaRequiredDto) },
      ],
    },
  })
  login(
    @PasswordVerifiedUser() user: User,
    @Client() client: ClientInfo,
  ): Promise<TokenResponseDto> {
    return this.auth.login(user, client);
  }

  @Post('auth/mfa/verify')
  @Public()
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @HttpCode(HttpStatus.OK)
  @NoStore()
  @ApiOperation({
    summary:
      'Complete a login answered with `mfa_required`: its mfa_token and a code from the authenticator (or a recovery code)',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({
    description:
      '`invalid_code` (the mfa_token stays usable), or `invalid_mfa_token` (unknown, expired or used: sign in again)',
    type: ProblemDetailsDto,
  })
  verifyMfa(
    @Body() dto: MfaVerifyDto,
    @Client() client: ClientInfo,
  ): Promise<TokenResponseDto> {
    return this.auth.verifyMfa(dto.mfa_token, secondFactorProof(dto), client);
  }

  @Post(['auth/token', 'token'])
  @Public()
  @OAuthEndpoint()
  @AuthRateLimited()
  @HttpCode(HttpStatus.OK)
  @NoStore()
  @ApiOperation({
    summary:
      'OAuth 2.0 token endpoint (RFC 6749): authorization_code, password, refresh_token, mfa-otp and client_credentials grants',
  })
  @ApiConsumes(FORM)
  @ApiBody({ type: TokenRequestDto })
  @ApiHeader({
    name: 'DPoP',
    required: false,
    schema: { type: 'string' },
    description:
      'RFC 9449: a proof (a JWT of type dpop+jwt, with htm POST and htu this URL) binds the tokens to its key: token_type DPoP',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({
    description: 'RFC 6749 §5.2 error',
    type: OAuthErrorDto,
  })
  token(
    @Headers('content-type') contentType: string | undefined,
    // Typed loosely on purpose: the global ValidationPipe skips it, because RFC 6749 §3.2 wants
    // unknown parameters ignored and errors in the OAuth shape.
    @Body() body: unknown,
    @Client() client: ClientInfo,
    @Headers('authorization') authorization: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<TokenResponseDto> {
    return this.tokenEndpoint.grant(contentType, body, {
      client,
      authorization,
      dpop: {
        proof: request.headers.dpop,
        path: request.url.split('?', 1)[0],
      },
    });
  }

  @Post('auth/refresh')
  @Public()
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @HttpCode(HttpStatus.OK)
  @NoStore()
  @ApiOperation({
    summary:
      'Exchange a refresh token for new tokens (JSON); the refresh token rotates',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({
    description: 'Unknown, used, expired or revoked refresh token',
    type: ProblemDetailsDto,
  })
  refresh(
    @Body() dto: RefreshDto,
    @Client() client: ClientInfo,
  ): Promise<TokenResponseDto> {
    return this.auth.refresh(dto.refresh_token, dto.scope, client);
  }

  @Post('auth/logout')
  @OptionalAuth()
  @RouteFacts(AUTH_ROUTE)
  // A refresh token sent here is a guess at a secret like any other.
  @AuthRateLimited()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary:
      "End the refresh token's session (or the bearer token's); its access tokens stop working at once",
  })
  @ApiNoContentResponse({
    description:
      "Logged out (also for an unknown token, or another user's, which ends nothing)",
  })
  @ApiUnauthorizedResponse({
    description:
      'A bearer token was sent and is invalid, expired or revoked (send none to log out with the refresh token alone)',
    type: ProblemDetailsDto,
  })
  async logout(
    @Body() dto: LogoutDto,
    @CurrentUser() principal: UserPrincipal | null,
  ): Promise<void> {
    await this.auth.logout(dto.refresh_token, principal);
  }

  @Post('auth/logout-all')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Auth()
  @ApiOperation({ summary: 'End every session of yours, on every device' })
  @ApiNoContentResponse({ description: 'Logged out everywhere' })
  async logoutAll(@CurrentUser() principal: UserPrincipal): Promise<void> {
    await this.auth.logoutEverywhere(principal);
  }

  @Post('auth/revoke')
  @OptionalAuth()
  @OAuthEndpoint()
  @AuthRateLimited()
  @HttpCode(HttpStatus.OK)
  @NoStore()
  @ApiOperation({
    summary:
      'RFC 7009 token revocation: a refresh or access token ends its session',
  })
  @ApiConsumes(FORM)
  @ApiBody({ type: RevocationRequestDto })
  @ApiOkResponse({
    description: 'Revoked, or nothing to revoke (RFC 7009 §2.2)',
  })
  @ApiBadRequestResponse({
    description: '`token` is missing',
    type: OAuthErrorDto,
  })
  @ApiUnauthorizedResponse({
    description: 'A bearer token was sent and is invalid, expired or revoked',
    type: ProblemDetailsDto,
  })
  async revoke(
    @Headers('content-type') contentType: string | undefined,
    // Typed loosely on purpose, as on /auth/token.
    @Body() body: unknown,
    @CurrentUser() principal: UserPrincipal | null,
    @Client() client: ClientInfo,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<void> {
    const { token, params } = parseRevocationRequest(contentType, body);
    await this.auth.revoke(token, principal, () =>
      this.clientAuthentication
        .authenticate(params, authorization, client)
        .then((registered) => registered.clientId),
    );
  }

  @Post('auth/introspect')
  @Public()
  @OAuthEndpoint()
  @AuthRateLimited()
  @HttpCode(HttpStatus.OK)
  @NoStore()
  @ApiOperation({
    summary:
      'RFC 7662 token introspection, for clients registered with allow_introspection (resource servers): whether a token is active, and its claims',
  })
  @ApiConsumes(FORM)
  @ApiBody({ type: IntrospectionRequestDto })
  @ApiOkResponse({ type: IntrospectionResponseDto })
  @ApiBadRequestResponse({
    description: '`token` is missing, or the body is not a form',
    type: OAuthErrorDto,
  })
  @ApiUnauthorizedResponse({
    description:
      '`invalid_client`: no client authentication, a wrong secret, or a client not allowed to introspect',
    type: OAuthErrorDto,
  })
  introspect(
    @Headers('content-type') contentType: string | undefined,
    // Typed loosely on purpose, as on /auth/token.
    @Body() body: unknown,
    @Client() client: ClientInfo,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<IntrospectionResponseDto> {
    return this.introspection.introspect(
      OAuthParams.fromForm(contentType, body, 'The introspection endpoint'),
      authorization,
      client,
    );
  }
}
