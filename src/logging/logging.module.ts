import { Module, RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { Config } from '../config/environment.js';

/**
 * pino through nestjs-pino: JSON lines in production, one pretty line each in development.
 * Request logging and the request id on every line are wired into Fastify's own hooks in
 * `request-logging.ts` (nestjs-pino's middleware runs before Fastify parses a body, and the
 * request context it sets does not survive the parsing), so the middleware is switched off here.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Config, true>) => ({
        pinoHttp: {
          level: config.get('LOG_LEVEL', { infer: true }),
          transport:
            config.get('NODE_ENV', { infer: true }) === 'development'
              ? {
                  target: 'pino-pretty',
                  options: {
                    singleLine: true,
                    translateTime: 'SYS:HH:MM:ss.l',
                    ignore: 'pid,hostname',
                  },
                }
              : undefined,
          // Defence in depth: no code logs these, and if some ever does they stay out.
          redact: {
            paths: [
              '*.authorization',
              '*.cookie',
              '*.password',
              '*.access_token',
              '*.refresh_token',
            ],
            censor: '[redacted]',
          },
        },
        exclude: [{ path: '{/*splat}', method: RequestMethod.ALL }],
      }),
    }),
  ],
})
export class LoggingModule {}
