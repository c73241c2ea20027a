import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { pino } from 'pino';
import type { Settings } from '../config/settings.js';
import { requestIdMixin } from './request-logging.js';

/**
 * pino through nestjs-pino: JSON lines in production, one pretty line each in development.
 * Request logging and the request id on every line are wired into Fastify's own hooks in
 * `request-logging.ts` (nestjs-pino's middleware runs before Fastify parses a body, and the
 * request context it sets does not survive the parsing), so the middleware is switched off here.
 *
 * Outside development, lines go out through a buffered stdout (4 KB): one write() for many
 * requests instead of one each, flushed at least every 250 ms and by `flushLogs()` at exit.
 */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'password',
  'currentPassword',
  'newPassword',
  'access_token',
  'refresh_token',
  'token',
];

/**
 * Nothing logs headers, bodies or tokens; should anything ever hand such an object to the
 * logger, these fields (at the top level or one level down) still stay out of the log.
 */
export const REDACT = {
  paths: [...SECRET_FIELDS, ...SECRET_FIELDS.map((field) => `*.${field}`)],
  censor: '[redacted]',
};

let buffered: ReturnType<typeof pino.destination> | undefined;

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Settings, true>) => {
        const level = config.get('logging.LOG_LEVEL', { infer: true });

        // No route gets nestjs-pino's middleware (see above); with none at all, Fastify runs no
        // middleware engine per request either.
        const forRoutes: string[] = [];
        if (config.get('app.NODE_ENV', { infer: true }) === 'development') {
          return {
            forRoutes,
            pinoHttp: {
              level,
              redact: REDACT,
              mixin: requestIdMixin,
              transport: {
                target: 'pino-pretty',
                options: {
                  singleLine: true,
                  translateTime: 'SYS:HH:MM:ss.l',
                  ignore: 'pid,hostname',
                },
              },
            },
          };
        }
        buffered = pino.destination({ dest: 1, sync: false, minLength: 4096 });
        // A quiet server still gets its lines out within a quarter of a second.
        setInterval(() => buffered?.flush(), 250).unref();
        return {
          forRoutes,
          pinoHttp: [
            { level, redact: REDACT, mixin: requestIdMixin },
            buffered,
          ],
        };
      },
    }),
  ],
})
export class LoggingModule {}

/** Writes out whatever the buffered destination still holds; safe in an 'exit' handler. */
export function flushLogs(): void {
  buffered?.flushSync();
}
