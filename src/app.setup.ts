import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { Logger } from 'nestjs-pino';
import { aboutBlankProblem, PROBLEM_JSON } from './problems/problem-types.js';
import { limitConnections } from './common/connection-limits.js';
import { InFlightRequests } from './common/in-flight-requests.js';
import { logRequests } from './logging/request-logging.js';
import { AppModule } from './app.module.js';
import { setupSwagger } from './common/swagger.js';
import { addResponseHeaders } from './common/security-headers.js';
import { validationPipe } from './common/validation.js';
import { guardRequestInput } from './common/request-input.js';
import { applyRouteBodyLimits } from './common/route-facts.js';
import { requestIdFor } from './logging/request-id.js';
import {
  readEnvironment,
  type Settings,
  validateSettings,
} from './config/settings.js';
import { parseTrustProxy } from './config/trust-proxy.js';
import { registerBrowserPlugins } from './auth/hosted-pages/browser-plugins.js';
import { applyOAuthCors, hasOAuthCors } from './auth/oauth-cors.js';

export const BODY_LIMIT_BYTES = 100 * 1024;

/**
 * Errors Fastify's router raises before Nest sees the request (a URL it cannot decode, a path
 * segment over 100 characters): problem details like every other error, without echoing the
 * path back.
 */
function answerFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode === 414 ? 414 : 400;
  void reply
    .status(status)
    .type(PROBLEM_JSON)
    .send(
      aboutBlankProblem(
        status,
        STATUS_CODES[status] ?? 'Bad Request',
        status === 414
          ? 'A segment of the path is too long'
          : 'The URL is not valid',
      ),
    );
}

const inFlight = new WeakMap<NestFastifyApplication, InFlightRequests>();

/** The requests an application is serving right now; shutdown waits for them. */
export function inFlightRequestsOf(
  app: NestFastifyApplication,
): InFlightRequests {
  const requests = inFlight.get(app);
  if (!requests) throw new Error('not an application made by createApp()');
  return requests;
}

export interface CreateAppOptions {
  /**
   * Keeps Nest's start-up log lines until `app.flushLogs()` (main.ts calls it once the port is
   * bound), so a start that fails prints its one line and not a "successfully started" before it.
   */
  holdStartupLogs?: boolean;
  /** Validated settings (main.ts validates them first); read from the environment if not given. */
  settings?: Settings;
}

/** Builds the whole application, exactly as `npm start` serves it; the e2e tests use it too. */
export async function createApp(
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  // Every setting is checked before anything is built: one start names every problem.
  const settings = options.settings ?? validateSettings(readEnvironment());
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.withSettings(settings),
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      trustProxy: parseTrustProxy(settings.app.TRUST_PROXY),
      requestIdHeader: false,
      genReqId: requestIdFor,
      frameworkErrors: answerFrameworkError,
    }),
    // Start-up failures are reported once, by main.ts, without Nest's stack-trace dump.
    { abortOnError: false, bufferLogs: true, autoFlushLogs: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  await registerBrowserPlugins(app);
  applyRouteBodyLimits(fastify);
  addResponseHeaders(fastify);
  guardRequestInput(app);
  inFlight.set(app, new InFlightRequests(app.getHttpServer()));
  const config = app.get<ConfigService<Settings, true>>(ConfigService);
  limitConnections(app.getHttpServer(), {
    requestTimeoutMs: config.get('app.REQUEST_TIMEOUT', { infer: true }) * 1000,
    maxConnections: config.get('app.MAX_CONNECTIONS', { infer: true }),
  });
  app.useLogger(app.get(Logger));
  logRequests(fastify);
  if (!options.holdStartupLogs) app.flushLogs();

  applyOAuthCors(app);
  const corsOrigins = config.get('app.CORS_ORIGINS', { infer: true });
  if (corsOrigins.length > 0) {
    const apiCors = {
      origin: corsOrigins,
      credentials: false,
      // DPoP (RFC 9449): a nonce may come back (the proof's own header is allowed as every
      // requested header is).
      exposedHeaders: [
        'X-Total-Count',
        'WWW-Authenticate',
        'Retry-After',
        'DPoP-Nonce',
      ],
      maxAge: 600,
    };
    // The OAuth endpoints answer cross-origin requests by their own rules (applyOAuthCors).
    app.enableCors({
      delegator: (request, callback) =>
        callback(
          null,
          hasOAuthCors(request.url ?? '') ? { origin: false } : apiCors,
        ),
    });
  }
  app.useGlobalPipes(validationPipe);
  if (config.get('app.SWAGGER_ENABLED', { infer: true })) setupSwagger(app);
  await app.init();
  return app;
}
