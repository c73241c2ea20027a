import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../roles/roles.js';
import type { User } from '../user.entity.js';

/** A user as the API shows it: never a password hash or any other secret. */
export class UserDto {
  @ApiProperty({
    format: 'uuid',
    example: '3f1c8a52-7d2e-4b8e-9a51-0c7f2b9d6e14',
  })
  id: string;

  @ApiProperty({ example: 'jane_doe' })
  username: string;

  @ApiProperty({ format: 'email', example: 'jane@example.com' })
  email: string;

  @ApiProperty({
    description: 'Whether the address was confirmed with a link mailed to it',
    example: true,
  })
  emailVerified: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  emailVerifiedAt: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Jane Doe' })
  fullName: string | null;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['user'] })
  roles: Role[];

  @ApiProperty({ example: false })
  disabled: boolean;

  @ApiProperty({
    example: false,
    description: 'Whether a password login also needs a code (TOTP)',
  })
  mfaEnabled: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  static from(user: User): UserDto {
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      emailVerified: user.emailVerifiedAt !== null,
      emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
      fullName: user.fullName,
      roles: user.roles,
      disabled: user.disabled,
      mfaEnabled: user.mfaEnabled,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }
}

/** `PATCH /users/me`'s answer: the profile, and the address waiting for confirmation, if any. */
export class ProfileUpdateDto extends UserDto {
  @ApiProperty({
    type: String,
    format: 'email',
    nullable: true,
    description:
      'The new address this edit asked for: it replaces `email` once the link mailed to it is used (null under EMAIL_VERIFICATION=off, where it applies at once)',
  })
  pendingEmail: string | null;
}
