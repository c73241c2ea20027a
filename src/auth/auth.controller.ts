import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorDto } from '../common/error.dto.js';
import { NoStore } from '../common/no-store.decorator.js';
import type { User } from '../users/user.entity.js';
import { AuthService } from './auth.service.js';
import { Client, CurrentUser } from './decorators/current-user.decorator.js';
import { LoginDto } from './dto/login.dto.js';
import { SignupDto } from './dto/signup.dto.js';
import { TokenRequestDto } from './dto/token-request.dto.js';
import {
  OAuthErrorDto,
  SignupResponseDto,
  TokenResponseDto,
} from './dto/token-response.dto.js';
import { LocalAuthGuard } from './guards/local-auth.guard.js';
import type { ClientInfo } from './principal.js';
import { parseTokenRequest } from './token-request.js';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post(['auth/signup', 'user/signup'])
  @NoStore()
  @ApiOperation({ summary: 'Create an account and sign in' })
  @ApiCreatedResponse({ type: SignupResponseDto })
  @ApiBadRequestResponse({
    description: 'A field is invalid (the message names it)',
    type: ErrorDto,
  })
  @ApiConflictResponse({
    description: 'The email or username is taken',
    type: ErrorDto,
  })
  signup(
    @Body() dto: SignupDto,
    @Client() client: ClientInfo,
  ): Promise<SignupResponseDto> {
    return this.auth.signup(dto, client);
  }

  @Post(['auth/login', 'login', 'user/login'])
  @HttpCode(HttpStatus.OK)
  @UseGuards(LocalAuthGuard)
  @NoStore()
  @ApiOperation({ summary: 'Sign in with a username (or email) and password' })
  @ApiConsumes(JSON_TYPE, FORM)
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({
    description: 'A field is missing or not a string',
    type: ErrorDto,
  })
  @ApiUnauthorizedResponse({
    description: 'Incorrect username or password',
    type: ErrorDto,
  })
  login(
    @CurrentUser() user: User,
    @Client() client: ClientInfo,
  ): Promise<TokenResponseDto> {
    return this.auth.login(user, client);
  }

  @Post(['auth/token', 'token'])
  @HttpCode(HttpStatus.OK)
  @NoStore()
  @ApiOperation({
    summary:
      'OAuth 2.0 token endpoint (RFC 6749): password and refresh_token grants',
  })
  @ApiConsumes(FORM)
  @ApiBody({ type: TokenRequestDto })
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
  ): Promise<TokenResponseDto> {
    return this.auth.grant(parseTokenRequest(contentType, body), client);
  }
}
