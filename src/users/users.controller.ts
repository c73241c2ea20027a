import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Patch,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../auth/decorators/auth.decorator.js';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ErrorDto } from '../common/error.dto.js';
import { NoStore } from '../common/no-store.decorator.js';
import { DeleteAccountDto } from './dto/delete-account.dto.js';
import { UpdateProfileDto } from './dto/update-profile.dto.js';
import { UserDto } from './dto/user.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @Auth('profile')
  @NoStore()
  @ApiOperation({ summary: 'Your profile' })
  @ApiOkResponse({ type: UserDto })
  me(@CurrentUser() principal: Principal): UserDto {
    return UserDto.from(principal.user);
  }

  @Patch('me')
  @Auth('profile')
  @NoStore()
  @ApiOperation({
    summary: 'Edit your profile (changing the email needs currentPassword)',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiConflictResponse({
    description: 'The email or username is taken',
    type: ErrorDto,
  })
  async updateMe(
    @CurrentUser() principal: Principal,
    @Body() dto: UpdateProfileDto,
  ): Promise<UserDto> {
    return UserDto.from(await this.users.updateProfile(principal.user, dto));
  }

  @Delete('me')
  @Auth('profile')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary:
      'Delete your account, with its todos, posts and sessions (needs your password)',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiForbiddenResponse({
    description: 'The password is incorrect',
    type: ErrorDto,
  })
  async deleteMe(
    @CurrentUser() principal: Principal,
    @Body() dto: DeleteAccountDto,
  ): Promise<void> {
    await this.users.deleteAccount(principal.user, dto.password);
  }
}
