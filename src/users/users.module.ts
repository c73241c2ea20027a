import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BackgroundWork } from '../common/background-work.js';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { MailModule } from '../mail/mail.module.js';
import { AccountController } from './account.controller.js';
import { AccountService } from './account.service.js';
import { AccountToken } from './account-token.entity.js';
import { AccountTokensService } from './account-tokens.service.js';
import { LoginAttemptsService } from './login-attempts.service.js';
import { PasswordHasher } from './password-hasher.service.js';
import { PasswordPolicy } from './password-policy.js';
import { User } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([User, AccountToken]),
    MailModule,
    CredentialsModule,
  ],
  controllers: [UsersController, AccountController],
  providers: [
    UsersService,
    AccountService,
    BackgroundWork,
    AccountTokensService,
    PasswordHasher,
    PasswordPolicy,
    LoginAttemptsService,
  ],
  exports: [
    UsersService,
    AccountService,
    AccountTokensService,
    PasswordHasher,
    PasswordPolicy,
    LoginAttemptsService,
  ],
})
export class UsersModule {}
