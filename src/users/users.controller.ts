import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../access/auth.decorator.js';
import { CurrentUser } from '../access/current-user.decorator.js';
import { CurrentAccount } from './current-account.decorator.js';
import type { User } from './user.entity.js';
import type { UserPrincipal } from '../access/principal.js';
import { Client, type ClientInfo } from '../common/client-info.js';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import { AuthRateLimited } from '../rate-limit/auth-rate-limit.decorator.js';
import { NoStore } from '../common/no-store.decorator.js';
import {
  PaginationQueryDto,
  ApiPageResponse,
  sendPage,
} from '../common/pagination.dto.js';
import type { FastifyReply } from 'fastify';
import { AdminUpdateUserDto } from './dto/admin-update-user.dto.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { DeleteAccountDto } from './dto/delete-account.dto.js';
import { UpdateProfileDto } from './dto/update-profile.dto.js';
import { ProfileUpdateDto, UserDto } from './dto/user.dto.js';
import { AccountService } from './account.service.js';
import { UsersService } from './users.service.js';

/** A service reads accounts with its own token (client credentials); it never writes them. */
const READ_ACCOUNTS = { clients: ['users:read'] } as const;

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly account: AccountService,
  ) {}

  @Get('me')
  @Auth('account')
  @NoStore()
  @ApiOperation({ summary: 'Your profile' })
  @ApiOkResponse({ type: UserDto })
  me(@CurrentAccount() account: User): UserDto {
    return UserDto.from(account);
  }

  @Patch('me')
  @AuthRateLimited()
  @Auth('account', { sensitive: 'change-email' })
  @NoStore()
  @ApiOperation({
    summary:
      'Edit your profile. A new email needs currentPassword and takes effect when the link mailed to it is used (`pendingEmail` until then); under EMAIL_VERIFICATION=off it takes effect at once',
  })
  @ApiOkResponse({ type: ProfileUpdateDto })
  @ApiBadRequestResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({
    description: 'The email or username is taken',
    type: ProblemDetailsDto,
  })
  @ApiForbiddenResponse({
    description: 'currentPassword is incorrect',
    type: ProblemDetailsDto,
  })
  async updateMe(
    @CurrentUser() principal: UserPrincipal,
    @CurrentAccount() account: User,
    @Body() dto: UpdateProfileDto,
    @Client() client: ClientInfo,
  ): Promise<ProfileUpdateDto> {
    const { user, pendingEmail } = await this.account.updateProfile(
      account,
      dto,
      client,
      principal.sessionId,
    );
    return { ...UserDto.from(user), pendingEmail };
  }

  @Delete('me')
  @AuthRateLimited()
  @Auth('account', { sensitive: 'delete-account' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary:
      'Delete your account, with its todos, posts and sessions (needs your password)',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiForbiddenResponse({
    description: 'The password is incorrect',
    type: ProblemDetailsDto,
  })
  async deleteMe(
    @CurrentUser() principal: UserPrincipal,
    @CurrentAccount() account: User,
    @Body() dto: DeleteAccountDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.account.deleteAccount(
      account,
      dto.password,
      client,
      principal.sessionId,
    );
  }

  @Post('me/password')
  @AuthRateLimited()
  @Auth('account', { sensitive: 'change-password' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary:
      'Change your password; every other session of yours ends, your mailed links stop working, and a notice goes to your address',
  })
  @ApiNoContentResponse({ description: 'Changed' })
  @ApiBadRequestResponse({
    description: 'The new password breaks the policy',
    type: ProblemDetailsDto,
  })
  @ApiForbiddenResponse({
    description: 'currentPassword is incorrect',
    type: ProblemDetailsDto,
  })
  async changePassword(
    @CurrentUser() principal: UserPrincipal,
    @CurrentAccount() account: User,
    @Body() dto: ChangePasswordDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.account.changePassword(
      account,
      dto.currentPassword,
      dto.newPassword,
      principal.sessionId,
      client,
    );
  }

  @Get()
  @Auth('users:admin', { sensitive: 'read-accounts' }, READ_ACCOUNTS)
  @NoStore()
  @ApiOperation({
    summary: "Every user (admins, or a machine client's token with users:read)",
  })
  @ApiPageResponse(UserDto, 'How many users there are')
  async list(
    @Query() query: PaginationQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserDto[]> {
    return sendPage(
      reply,
      await this.users.list(query.limit, query.offset),
      (user) => UserDto.from(user),
    );
  }

  @Get(':id')
  @Auth('users:admin', { sensitive: 'read-accounts' }, READ_ACCOUNTS)
  @NoStore()
  @ApiOperation({
    summary: "One user (admins, or a machine client's token with users:read)",
  })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<UserDto> {
    return UserDto.from(await this.users.getById(id));
  }

  @Patch(':id')
  @Auth('users:admin', { sensitive: 'administer-account' })
  @NoStore()
  @ApiOperation({
    summary:
      "Edit a user's roles, name or disabled flag (admins); disabling ends their sessions",
  })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async adminUpdate(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: AdminUpdateUserDto,
  ): Promise<UserDto> {
    return UserDto.from(await this.account.adminUpdate(id, dto));
  }

  @Delete(':id/sessions')
  @Auth('users:admin', { sensitive: 'administer-account' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary:
      "End every session of a user (admins); the user's access tokens stop working at once and a notice is mailed",
  })
  @ApiNoContentResponse({ description: 'Signed out everywhere' })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async endSessions(
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<void> {
    await this.account.endSessionsAsAdmin(id);
  }
}
