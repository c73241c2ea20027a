import { Module } from '@nestjs/common';
import { CredentialLifecycle } from './credential-lifecycle.service.js';
import { SignInMethods } from './sign-in-methods.service.js';

/**
 * What a credential event ends (`CredentialLifecycle`, one table) and the registry of sign-in
 * methods (`SignInMethods`). It depends on no feature module: sessions, second factors, passkeys
 * and mailed links register with it.
 */
@Module({
  providers: [CredentialLifecycle, SignInMethods],
  exports: [CredentialLifecycle, SignInMethods],
})
export class CredentialsModule {}
