import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Passkey } from './passkey.entity.js';
import { PasskeysService } from './passkeys.service.js';
import { WebAuthnChallenge } from './webauthn-challenge.entity.js';

/** Passkeys (WebAuthn): credentials and ceremonies; the routes live in AuthModule. */
@Module({
  imports: [TypeOrmModule.forFeature([Passkey, WebAuthnChallenge])],
  providers: [PasskeysService],
  exports: [PasskeysService],
})
export class PasskeysModule {}
