import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenID Connect Core §5.1 claims Warden releases, by claim scope. */
export class UserInfoDto {
  @ApiProperty({ format: 'uuid', description: 'The user’s id' })
  sub: string;

  @ApiPropertyOptional({ description: '`profile` scope' })
  preferred_username?: string;

  @ApiPropertyOptional({ description: '`profile` scope, when set' })
  name?: string;

  @ApiPropertyOptional({
    description: '`profile` scope: seconds since the epoch',
  })
  updated_at?: number;

  @ApiPropertyOptional({ format: 'email', description: '`email` scope' })
  email?: string;

  @ApiPropertyOptional({
    description: '`email` scope: true only once the address is proven',
  })
  email_verified?: boolean;
}
