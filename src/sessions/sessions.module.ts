import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RefreshToken } from './refresh-token.entity.js';
import { Session } from './session.entity.js';
import { SessionsService } from './sessions.service.js';
import { UserEventsListener } from './user-events.listener.js';

@Module({
  imports: [TypeOrmModule.forFeature([Session, RefreshToken])],
  providers: [SessionsService, UserEventsListener],
  exports: [SessionsService],
})
export class SessionsModule {}
