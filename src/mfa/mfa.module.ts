import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { Settings } from '../config/settings.js';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { UsersModule } from '../users/users.module.js';
import { MfaToken } from './mfa-token.entity.js';
import { MfaTokensService } from './mfa-tokens.service.js';
import { MfaAdminController, MfaController } from './mfa.controller.js';
import { MfaService } from './mfa.service.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { RecoveryCodesService } from './recovery-codes.service.js';
import { SecretBox } from './secret-box.js';
import { TotpFactor } from './totp-factor.entity.js';
import { TotpService } from './totp.service.js';

/** Second factors: TOTP authenticators, recovery codes, and the logins waiting for them. */
@Module({
  imports: [
    TypeOrmModule.forFeature([TotpFactor, RecoveryCode, MfaToken]),
    UsersModule,
    CredentialsModule,
  ],
  controllers: [MfaController, MfaAdminController],
  providers: [
    MfaService,
    MfaTokensService,
    RecoveryCodesService,
    TotpService,
    {
      provide: SecretBox,
      inject: [ConfigService],
      // Under MFA_TOTP=false there is no key and nothing is sealed or opened: a throwaway key
      // stands in.
      useFactory: (config: ConfigService<Settings, true>) =>
        new SecretBox(
          config.get('mfa.MFA_ENCRYPTION_KEY', { infer: true }) ||
            randomBytes(32).toString('hex'),
          config.get('mfa.MFA_TOTP', { infer: true })
            ? config.get('mfa.MFA_PREVIOUS_ENCRYPTION_KEY', { infer: true })
            : undefined,
        ),
    },
  ],
  exports: [MfaService, MfaTokensService],
})
export class MfaModule {}
