import { Body, Controller, Get, Patch } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../auth/decorators/auth.decorator.js';
import { CurrentUser } from '../auth/decorators/current-user.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ErrorDto } from '../common/error.dto.js';
import { NoStore } from '../common/no-store.decorator.js';
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
}
