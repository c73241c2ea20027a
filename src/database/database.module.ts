import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Config } from '../config/environment.js';
import { databaseOptions } from './database-options.js';
import { DatabaseOutage } from './database-outage.js';
import { isWorthRetrying } from './startup-errors.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Config, true>) => ({
        ...databaseOptions(config.get('DATABASE_URL', { infer: true })),
        // A database that is still starting gets a few seconds; then start-up fails loudly.
        retryAttempts: 5,
        retryDelay: 1000,
        toRetry: isWorthRetrying,
      }),
    }),
  ],
  providers: [DatabaseOutage],
  exports: [DatabaseOutage],
})
export class DatabaseModule {}
