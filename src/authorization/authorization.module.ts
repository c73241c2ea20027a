import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionsModule } from '../sessions/sessions.module.js';
import { AuthorizationCode } from './authorization-code.entity.js';
import { AuthorizationCodesService } from './authorization-codes.service.js';
import { Consent } from './consent.entity.js';
import { ConsentsService } from './consents.service.js';
import { OidcKeys } from './oidc-keys.js';

/**
 * What the authorization code flow keeps between its steps: the codes the authorization
 * endpoint issues and the token endpoint redeems, users' consents to third-party clients, and the
 * keys that sign ID tokens (which client registration checks an algorithm against).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([AuthorizationCode, Consent]),
    SessionsModule,
  ],
  providers: [AuthorizationCodesService, ConsentsService, OidcKeys],
  exports: [AuthorizationCodesService, ConsentsService, OidcKeys],
})
export class AuthorizationModule {}
