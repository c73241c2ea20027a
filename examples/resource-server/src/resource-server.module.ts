import { type DynamicModule, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import {
  IntrospectionGuard,
  ScopesGuard,
  WardenJwtGuard,
} from './auth/guards.js';
import { WardenJwtStrategy } from './auth/warden-jwt.strategy.js';
import { NotesController } from './notes/notes.controller.js';
import { WARDEN, type Warden } from './warden.js';

/** The resource server: one controller, the strategy and guards that trust Warden. */
@Module({})
export class ResourceServerModule {
  static forWarden(warden: Warden): DynamicModule {
    return {
      module: ResourceServerModule,
      imports: [PassportModule],
      controllers: [NotesController],
      providers: [
        { provide: WARDEN, useValue: warden },
        WardenJwtStrategy,
        WardenJwtGuard,
        ScopesGuard,
        IntrospectionGuard,
      ],
    };
  }
}
