import { ApiProperty } from '@nestjs/swagger';
import type { Session } from '../../sessions/session.entity.js';

export class SessionDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The `sid` of this session’s access tokens',
  })
  id: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', description: 'Login or last refresh' })
  lastUsedAt: string;

  @ApiProperty({
    format: 'date-time',
    description: 'When the session ends unless refreshed first',
  })
  expiresAt: string;

  @ApiProperty({ type: String, nullable: true, example: 'Mozilla/5.0 …' })
  userAgent: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip: string | null;

  @ApiProperty({
    description: 'Whether this is the session of the token that asked',
  })
  current: boolean;

  @ApiProperty({
    enum: ['browser', 'tokens'],
    description:
      '`browser`: a sign-in on the hosted pages (ending it ends every client session started from it); `tokens`: a session with tokens',
  })
  kind: 'browser' | 'tokens';

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The registered client the tokens were issued to; null for the password grant and the JSON sign-in routes',
  })
  clientId: string | null;

  static from(session: Session, currentSessionId: string): SessionDto {
    return {
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      expiresAt: session.idleExpiresAt.toISOString(),
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === currentSessionId,
      kind: session.browserTokenHash === null ? 'tokens' : 'browser',
      clientId: session.clientId,
    };
  }
}
