import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import type { Settings } from '../config/settings.js';
import { databaseOptions } from './database-options.js';
import { DatabaseOutage } from './database-outage.js';
import { connectWithRetry } from './connect-with-retry.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Settings, true>) => ({
        ...databaseOptions(
          config.get('database.DATABASE_URL', { infer: true }),
        ),
        connectTimeout: config.get('database.DATABASE_CONNECT_TIMEOUT', {
          infer: true,
        }),
        // Retrying is connectWithRetry's, with a line per attempt.
        retryAttempts: 0,
      }),
      dataSourceFactory: (options) => {
        const { connectTimeout, ...dataSourceOptions } =
          options as DataSourceOptions & { connectTimeout: number };
        return connectWithRetry(dataSourceOptions, connectTimeout);
      },
    }),
  ],
  providers: [DatabaseOutage],
  exports: [DatabaseOutage],
})
export class DatabaseModule {}
