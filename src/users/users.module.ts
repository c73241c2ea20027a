import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionsModule } from '../sessions/sessions.module.js';
import { PasswordHasher } from './password-hasher.service.js';
import { PasswordPolicy } from './password-policy.js';
import { User } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User]), SessionsModule],
  controllers: [UsersController],
  providers: [UsersService, PasswordHasher, PasswordPolicy],
  exports: [UsersService, PasswordHasher, PasswordPolicy],
})
export class UsersModule {}
