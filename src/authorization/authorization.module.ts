import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionsModule } from '../sessions/sessions.module.js';
import { AuthorizationCode } from './authorization-code.entity.js';
import { AuthorizationCodesService } from './authorization-codes.service.js';
import { Consent } from './consent.entity.js';
import { ConsentsService } from './consents.service.js';

/**
 * What the authorization code flow keeps between its steps: the codes the authorization
 * endpoint issues and the token endpoint redeems, and users' consents to third-party clients.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([AuthorizationCode, Consent]),
    SessionsModule,
  ],
  providers: [AuthorizationCodesService, ConsentsService],
  exports: [AuthorizationCodesService, ConsentsService],
})
export class AuthorizationModule {}
