import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { Client, type ClientInfo } from '../common/client-info.js';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import { NoStore } from '../common/no-store.decorator.js';
import { AUTH_ROUTE, RouteFacts } from '../common/route-facts.js';
import {
  PasskeyDto,
  PasskeyLoginDto,
  PasskeyRegistrationDto,
} from '../passkeys/dto/passkey.dto.js';
import { PasskeysService } from '../passkeys/passkeys.service.js';
import { AuthRateLimited } from '../rate-limit/auth-rate-limit.decorator.js';
import { AuthService } from './auth.service.js';
import { Auth, Public } from '../access/auth.decorator.js';
import { CurrentUser } from '../access/current-user.decorator.js';
import { TokenResponseDto } from './dto/token-response.dto.js';
import { CurrentAccount } from '../users/current-account.decorator.js';
import type { User } from '../users/user.entity.js';
import type { UserPrincipal } from '../access/principal.js';

const EMAIL_NOT_VERIFIED_RESPONSE = {
  description:
    '`email_not_verified`: nothing that signs in can be added before the address is verified',
  type: ProblemDetailsDto,
};

const OPTIONS_SCHEMA = {
  schema: {
    type: 'object',
    additionalProperties: true,
    description:
      'WebAuthn options as JSON: hand them to @simplewebauthn/browser (startRegistration / startAuthentication)',
  },
} as const;

@ApiTags('passkeys')
@Controller('auth/passkeys')
export class PasskeysController {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly auth: AuthService,
  ) {}

  @Post('register/options')
  @Auth('account', { sensitive: 'add-passkey' })
  @HttpCode(HttpStatus.OK)
  @NoStore()
  @ApiOperation({
    summary:
      'Begin adding a passkey: creation options (resident key, user verification required) for navigator.credentials.create',
  })
  @ApiOkResponse(OPTIONS_SCHEMA)
  @ApiForbiddenResponse(EMAIL_NOT_VERIFIED_RESPONSE)
  registrationOptions(
    @CurrentAccount() account: User,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return this.passkeys.registrationOptions(account);
  }

  @Post('register/verify')
  @Auth('account', { sensitive: 'add-passkey' })
  @RouteFacts(AUTH_ROUTE)
  @ApiOperation({
    summary: "Finish adding a passkey with the authenticator's response",
  })
  @ApiCreatedResponse({ type: PasskeyDto })
  @ApiBadRequestResponse({
    description:
      '`invalid_passkey_response`: the challenge is unknown, spent or expired, or the origin, RP ID or user verification is wrong',
    type: ProblemDetailsDto,
  })
  @ApiForbiddenResponse(EMAIL_NOT_VERIFIED_RESPONSE)
  async register(
    @CurrentAccount() account: User,
    @Body() dto: PasskeyRegistrationDto,
  ): Promise<PasskeyDto> {
    return PasskeyDto.from(
      await this.passkeys.register(account, dto.response, dto.name),
    );
  }

  @Post('login/options')
  @Public()
  @AuthRateLimited()
  @HttpCode(HttpStatus.OK)
  @NoStore()
  @ApiOperation({
    summary:
      'Begin signing in with a passkey: request options for navigator.credentials.get (any passkey of this site)',
  })
  @ApiOkResponse(OPTIONS_SCHEMA)
  authenticationOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return this.passkeys.authenticationOptions();
  }

  @Post('login/verify')
  @Public()
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @HttpCode(HttpStatus.OK)
  @NoStore()
  @ApiOperation({
    summary:
      'Sign in with a passkey: the usual token response, `amr` ["hwk"] or ["swk"]',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({
    description:
      '`passkey_sign_in_failed`: unknown passkey, spent or expired challenge, wrong origin, a signature counter that went backwards (a cloned authenticator), or an inactive account',
    type: ProblemDetailsDto,
  })
  async login(
    @Body() dto: PasskeyLoginDto,
    @Client() client: ClientInfo,
  ): Promise<TokenResponseDto> {
    return this.auth.signInWithPasskey(dto.response, client);
  }

  @Get()
  @Auth('account')
  @NoStore()
  @ApiOperation({ summary: 'Your passkeys' })
  @ApiOkResponse({ type: [PasskeyDto] })
  async list(@CurrentAccount() account: User): Promise<PasskeyDto[]> {
    return (await this.passkeys.list(account)).map((passkey) =>
      PasskeyDto.from(passkey),
    );
  }

  @Delete(':id')
  @Auth('account', { sensitive: 'remove-passkey' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete one of your passkeys; the sessions signed in with it end',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({
    description: 'No such passkey of yours',
    type: ProblemDetailsDto,
  })
  async remove(
    @CurrentUser() principal: UserPrincipal,
    @CurrentAccount() account: User,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<void> {
    await this.passkeys.remove(account, id, principal.sessionId);
  }
}
