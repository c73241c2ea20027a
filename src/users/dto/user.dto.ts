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

  @ApiProperty({ type: String, nullable: true, example: 'Jane Doe' })
  fullName: string | null;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['user'] })
  roles: Role[];

  @ApiProperty({ example: false })
  disabled: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  static from(user: User): UserDto {
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      fullName: user.fullName,
      roles: user.roles,
      disabled: user.disabled,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }
}
