import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReplayGuard } from './replay-guard.service.js';
import { UsedJti } from './used-jti.entity.js';

/** Single-use identifiers across instances (DPoP proofs, client assertions). */
@Module({
  imports: [TypeOrmModule.forFeature([UsedJti])],
  providers: [ReplayGuard],
  exports: [ReplayGuard],
})
export class ReplayModule {}
