import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { OptionalAuth, Public } from '../access/auth.decorator.js';
import { CurrentAccount } from './current-account.decorator.js';
import type { User } from './user.entity.js';
import { Client, type ClientInfo } from '../common/client-info.js';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import { NoStore } from '../common/no-store.decorator.js';
import { AUTH_ROUTE, RouteFacts } from '../common/route-facts.js';
import { AuthRateLimited } from '../rate-limit/auth-rate-limit.decorator.js';
import { AccountService } from './account.service.js';
import {
  AccountTokenDto,
  EmailAddressDto,
  MailAcceptedDto,
  OptionalEmailAddressDto,
  ResetPasswordDto,
  VerifyEmailDto,
} from './dto/account-mail.dto.js';
import { UserDto } from './dto/user.dto.js';

const ACCEPTED: MailAcceptedDto = {
  message:
    'If an account with this address exists, a link is on its way to it.',
};
const INVALID_TOKEN = {
  description:
    '`invalid_or_expired_token`: unknown, of another kind, expired or already used (one answer for all); or a field is invalid',
  type: ProblemDetailsDto,
};

/** The routes that mailed links lead to, and the ones that send them. */
@ApiTags('account')
@Controller('auth')
export class AccountController {
  constructor(private readonly account: AccountService) {}

  @Post('email/verify')
  @Public()
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary:
      "Confirm your email address with the token of the mailed link and the account's password (whoever did not create the account resets its password instead)",
  })
  @ApiNoContentResponse({ description: 'The address is verified' })
  @ApiBadRequestResponse(INVALID_TOKEN)
  @ApiForbiddenResponse({
    description:
      'The password is incorrect (it counts against the account; the link stays usable)',
    type: ProblemDetailsDto,
  })
  @ApiNotFoundResponse({
    description: 'EMAIL_VERIFICATION=off',
    type: ProblemDetailsDto,
  })
  async verifyEmail(
    @Body() dto: VerifyEmailDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.account.verifyEmail(dto.token, dto.password, client);
  }

  @Post('email/verify/resend')
  @OptionalAuth()
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      'Mail a new verification link (older ones stop working): to you with a bearer token, or to `email` without one (for accounts that may not sign in until verified)',
  })
  @ApiAcceptedResponse({ type: MailAcceptedDto })
  @ApiBadRequestResponse({
    description: 'Neither a bearer token nor `email`',
    type: ProblemDetailsDto,
  })
  async resendVerification(
    @Body() dto: OptionalEmailAddressDto,
    @CurrentAccount() account: User | null,
  ): Promise<MailAcceptedDto> {
    if (account) {
      await this.account.resendVerification(account);
    } else if (typeof dto.email === 'string') {
      this.account.resendVerificationTo(dto.email);
    } else {
      throw new BadRequestException('email is required without a bearer token');
    }
    return ACCEPTED;
  }

  @Post('password/forgot')
  @Public()
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      'Mail a password reset link; the same answer, at once, whether the address has an account or not',
  })
  @ApiAcceptedResponse({ type: MailAcceptedDto })
  @ApiBadRequestResponse({
    description: '`email` is missing or invalid',
    type: ProblemDetailsDto,
  })
  @ApiNotFoundResponse({
    description: 'PASSWORD_RESET=false',
    type: ProblemDetailsDto,
  })
  forgotPassword(@Body() dto: EmailAddressDto): MailAcceptedDto {
    this.account.forgotPassword(dto.email);
    return ACCEPTED;
  }

  @Post('password/reset')
  @Public()
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @HttpCode(HttpStatus.NO_CONTENT)
  @NoStore()
  @ApiOperation({
    summary:
      'Set a new password with the token of a reset link: every session ends, a failed-login lock lifts, a notice is mailed',
  })
  @ApiNoContentResponse({ description: 'The password is set; sign in with it' })
  @ApiBadRequestResponse({
    description: `${INVALID_TOKEN.description}; or the new password breaks the policy (the link stays usable)`,
    type: ProblemDetailsDto,
  })
  async resetPassword(
    @Body() dto: ResetPasswordDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.account.resetPassword(dto.token, dto.newPassword, client);
  }

  @Post('email/change/confirm')
  @Public()
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @HttpCode(HttpStatus.OK)
  @NoStore()
  @ApiOperation({
    summary:
      'Confirm an email change with the token of the link mailed to the new address; it becomes the verified address',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiBadRequestResponse(INVALID_TOKEN)
  @ApiConflictResponse({
    description: 'Another account took the address meanwhile',
    type: ProblemDetailsDto,
  })
  async confirmEmailChange(@Body() dto: AccountTokenDto): Promise<UserDto> {
    return UserDto.from(await this.account.confirmEmailChange(dto.token));
  }

  @Post('sign-in-methods/remove')
  @Public()
  @RouteFacts(AUTH_ROUTE)
  @AuthRateLimited()
  @HttpCode(HttpStatus.NO_CONTENT)
  @NoStore()
  @ApiOperation({
    summary:
      '"This was not me": with the token of the link in a "passkey added", "two-step sign-in is on" or "new recovery codes" notice, remove that sign-in method and end every session of the account (no password needed)',
  })
  @ApiNoContentResponse({
    description:
      'Removed (or gone already), and every session ended; a notice says what went',
  })
  @ApiBadRequestResponse(INVALID_TOKEN)
  async removeSignInMethod(
    @Body() dto: AccountTokenDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.account.removeSignInMethodWithLink(dto.token, client);
  }
}
