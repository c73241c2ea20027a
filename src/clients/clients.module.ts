import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthorizationModule } from '../authorization/authorization.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { BuiltInClientsService } from './built-in-clients.service.js';
import { Client } from './client.entity.js';
import { ClientAccessToken } from './client-token.entity.js';
import { ClientTokensService } from './client-tokens.service.js';
import { ClientsController } from './clients.controller.js';
import { ClientsService } from './clients.service.js';

/** The registry of applications that sign users in through Warden (OAuth clients). */
@Module({
  imports: [
    TypeOrmModule.forFeature([Client, ClientAccessToken]),
    AuthorizationModule,
    SessionsModule,
  ],
  controllers: [ClientsController],
  providers: [ClientsService, ClientTokensService, BuiltInClientsService],
  exports: [ClientsService, ClientTokensService],
})
export class ClientsModule {}
