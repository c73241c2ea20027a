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
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../access/auth.decorator.js';
import { CurrentUser } from '../access/current-user.decorator.js';
import { CurrentAccount } from '../users/current-account.decorator.js';
import type { User } from '../users/user.entity.js';
import type { UserPrincipal } from '../access/principal.js';
import { Client, type ClientInfo } from '../common/client-info.js';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import { NoStore } from '../common/no-store.decorator.js';
import { AUTH_ROUTE, RouteFacts } from '../common/route-facts.js';
import { AuthRateLimited } from '../rate-limit/auth-rate-limit.decorator.js';
import {
  ConfirmTotpDto,
  DisableTotpDto,
  MfaStatusDto,
  RecoveryCodesDto,
  TotpEnrolmentDto,
} from './dto/mfa.dto.js';
import { PasswordConfirmationDto } from '../users/dto/password-confirmation.dto.js';
import { secondFactorProof } from './dto/second-factor.dto.js';
import { MfaService } from './mfa.service.js';

const SWITCHED_OFF = {
  description: 'Second factors are switched off (MFA_TOTP=false)',
  type: ProblemDetailsDto,
};

/** Enrolment and management of the signed-in user's second factor. */
@ApiTags('mfa')
@Controller('auth/mfa')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  @Get()
  @Auth('account')
  @NoStore()
  @ApiOperation({
    summary: 'Whether TOTP is on, and how many recovery codes are left',
  })
  @ApiOkResponse({ type: MfaStatusDto })
  @ApiNotFoundResponse(SWITCHED_OFF)
  status(@CurrentAccount() account: User): Promise<MfaStatusDto> {
    return this.mfa.status(account);
  }

  @Post('totp')
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @Auth('account', { sensitive: 'turn-on-totp' })
  @NoStore()
  @ApiOperation({
    summary:
      'Start setting up an authenticator app (needs your password): a secret, its otpauth:// URI and a QR code; POST /auth/mfa/totp/confirm turns it on',
  })
  @ApiCreatedResponse({ type: TotpEnrolmentDto })
  @ApiForbiddenResponse({
    description:
      'The password is incorrect; or `email_not_verified`: nothing that signs in can be added before the address is verified',
    type: ProblemDetailsDto,
  })
  @ApiConflictResponse({
    description: 'TOTP is already on',
    type: ProblemDetailsDto,
  })
  @ApiNotFoundResponse(SWITCHED_OFF)
  begin(
    @CurrentAccount() account: User,
    @Body() dto: PasswordConfirmationDto,
    @Client() client: ClientInfo,
  ): Promise<TotpEnrolmentDto> {
    return this.mfa.beginTotp(account, dto.password, client);
  }

  @Post('totp/confirm')
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @Auth('account', { sensitive: 'turn-on-totp' })
  @HttpCode(HttpStatus.OK)
  @NoStore()
  @ApiOperation({
    summary:
      'Turn TOTP on with a code from the new authenticator; answers the recovery codes, shown this once',
  })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiBadRequestResponse({
    description:
      '`invalid_code`: the code does not match, or no set-up is under way (each wrong code counts against the account)',
    type: ProblemDetailsDto,
  })
  @ApiForbiddenResponse({
    description: '`email_not_verified`: verify the address first',
    type: ProblemDetailsDto,
  })
  @ApiNotFoundResponse(SWITCHED_OFF)
  async confirm(
    @CurrentAccount() account: User,
    @Body() dto: ConfirmTotpDto,
    @Client() client: ClientInfo,
  ): Promise<RecoveryCodesDto> {
    return {
      recoveryCodes: await this.mfa.confirmTotp(account, dto.code, client),
    };
  }

  @Delete('totp')
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @Auth('account', { sensitive: 'turn-off-totp' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary:
      'Turn TOTP off (needs your password and a current code or a recovery code, and a recent sign-in with a second factor)',
  })
  @ApiNoContentResponse({ description: 'Off; the recovery codes are gone too' })
  @ApiForbiddenResponse({
    description: 'The password or the code is incorrect',
    type: ProblemDetailsDto,
  })
  @ApiNotFoundResponse(SWITCHED_OFF)
  async disable(
    @CurrentUser() principal: UserPrincipal,
    @CurrentAccount() account: User,
    @Body() dto: DisableTotpDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.mfa.disableTotp(
      account,
      dto.password,
      secondFactorProof(dto),
      client,
      principal.sessionId,
    );
  }

  @Post('recovery-codes')
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @Auth('account', { sensitive: 'replace-recovery-codes' })
  @HttpCode(HttpStatus.OK)
  @NoStore()
  @ApiOperation({
    summary:
      'Replace your recovery codes (needs your password, and a recent sign-in with a second factor); the old ones stop working',
  })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiForbiddenResponse({
    description:
      'The password is incorrect; or `email_not_verified`: nothing that signs in can be added before the address is verified',
    type: ProblemDetailsDto,
  })
  @ApiConflictResponse({
    description: 'TOTP is not on',
    type: ProblemDetailsDto,
  })
  @ApiNotFoundResponse(SWITCHED_OFF)
  async replaceRecoveryCodes(
    @CurrentUser() principal: UserPrincipal,
    @CurrentAccount() account: User,
    @Body() dto: PasswordConfirmationDto,
    @Client() client: ClientInfo,
  ): Promise<RecoveryCodesDto> {
    return {
      recoveryCodes: await this.mfa.replaceRecoveryCodes(
        account,
        dto.password,
        client,
        principal.sessionId,
      ),
    };
  }
}

/** Admin help for a user who lost every second factor. */
@ApiTags('users')
@Controller('users')
export class MfaAdminController {
  constructor(private readonly mfa: MfaService) {}

  @Delete(':id/mfa')
  @Auth('users:admin', { sensitive: 'administer-account' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary:
      "Turn a user's TOTP off (admins), for a user who lost the authenticator and the recovery codes; the user's sessions end and the user gets a notice",
  })
  @ApiNoContentResponse({ description: 'Off (also when it was off already)' })
  @ApiNotFoundResponse({
    description: 'No such user, or MFA_TOTP=false',
    type: ProblemDetailsDto,
  })
  async reset(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.mfa.resetForUser(id);
  }
}
