import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { UsersModule } from '../users/users.module.js';
import { Passkey } from './passkey.entity.js';
import { PasskeysService } from './passkeys.service.js';
import { WebAuthnChallenge } from './webauthn-challenge.entity.js';

/**
 * Passkeys (WebAuthn): credentials and ceremonies (notices go out through UsersModule's account
 * mail); the routes live in AuthModule.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Passkey, WebAuthnChallenge]),
    UsersModule,
    CredentialsModule,
  ],
  providers: [PasskeysService],
  exports: [PasskeysService],
})
export class PasskeysModule {}
