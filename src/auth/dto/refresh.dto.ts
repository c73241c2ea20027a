import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class RefreshDto {
  @ApiProperty({ description: 'The refresh_token of the last token response' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  refresh_token: string;

  @ApiPropertyOptional({
    description: 'A narrower scope than the session’s',
    example: 'todos:read',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  scope?: string;
}

export class LogoutDto {
  @ApiPropertyOptional({
    description:
      'Ends this refresh token’s session; without it, the bearer token’s session ends',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  refresh_token?: string;
}
