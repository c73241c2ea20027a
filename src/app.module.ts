import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AppController } from './app.controller.js';
import { AuthModule } from './auth/auth.module.js';
import { JwtAuthGuard } from './auth/jwt-auth.guard.js';
import { CacheModule } from './cache/cache.module.js';
import { ClientsModule } from './clients/clients.module.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { FEATURE_SETTINGS, type Settings } from './config/settings.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MailModule } from './mail/mail.module.js';
import { AccountPagesModule } from './account-pages/account-pages.module.js';
import { PostsModule } from './posts/posts.module.js';
import { ProblemsModule } from './problems/problems.module.js';
import { AppThrottlerGuard } from './rate-limit/app-throttler.guard.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { RedisModule } from './redis/redis.module.js';
import { TodosModule } from './todos/todos.module.js';
import { UsersModule } from './users/users.module.js';

@Module({
  imports: [
    LoggingModule,
    DatabaseModule,
    RedisModule,
    CacheModule,
    MailModule,
    AccountPagesModule,
    RateLimitModule,
    UsersModule,
    AuthModule,
    ClientsModule,
    TodosModule,
    PostsModule,
    HealthModule,
    ProblemsModule,
  ],
  controllers: [AppController],
  providers: [
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    // Global guards run in this order: a flood is refused before any token is checked, and
    // every route needs a bearer token unless it says `@Public()` or `@OptionalAuth()`.
    { provide: APP_GUARD, useClass: AppThrottlerGuard },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
})
export class AppModule {
  /**
   * The application with its settings, validated before it is built (`validateSettings`, one
   * pass over every feature's settings). Each feature's values are its own `registerAs`
   * namespace (`config.get('mail.MAIL_FROM', { infer: true })`); ConfigService reads nothing
   * else, not even process.env, so a setting no feature declares cannot be read by mistake. One
   * process can build applications with different settings one after another (the tests do).
   */
  static withSettings(settings: Settings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          cache: true,
          ignoreEnvFile: true,
          skipProcessEnv: true,
          load: FEATURE_SETTINGS.map((feature) =>
            feature.register(settings[feature.namespace]),
          ),
        }),
      ],
    };
  }
}
