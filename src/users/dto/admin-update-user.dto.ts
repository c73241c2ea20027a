import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
} from 'class-validator';
import { ROLES, type Role } from '../../roles/roles.js';
import { FullNameField } from './user-fields.js';

export class AdminUpdateUserDto {
  @ApiPropertyOptional({
    description: 'true ends every session of the user at once',
  })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({
    enum: ROLES,
    isArray: true,
    example: ['user', 'admin'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles?: Role[];

  @FullNameField()
  fullName?: string | null;
}
