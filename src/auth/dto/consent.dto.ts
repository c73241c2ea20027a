import { ApiProperty } from '@nestjs/swagger';

/** A third-party client the user has allowed, and what it may ask for without asking again. */
export class ConsentDto {
  @ApiProperty({ example: 'pJ3kQ2xV8mN4rT6yW1zA5bC7' })
  clientId: string;

  @ApiProperty({ example: 'Notes' })
  clientName: string;

  @ApiProperty({ example: 'openid email todos:read' })
  scope: string;

  @ApiProperty({ format: 'date-time' })
  grantedAt: string;

  @ApiProperty({
    format: 'date-time',
    description: 'When a scope was last added',
  })
  updatedAt: string;
}
