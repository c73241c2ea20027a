import type { FastifyInstance } from 'fastify';
import { PinoLogger } from 'nestjs-pino';

/**
 * One log line per request (method, path without the query string, which may carry tokens,
 * status, time), and the request id on every line written while serving it: each handler runs
 * inside a logging context bound to `reqId`, entered after Fastify has parsed the body.
 */
export function logRequests(
  fastify: FastifyInstance,
  logger: PinoLogger,
): void {
  fastify.addHook('preHandler', (request, _reply, done) => {
    logger.runInContext(done, { bindings: { reqId: request.id } });
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (!PinoLogger.root.isLevelEnabled(level)) return done();
    PinoLogger.root[level](
      {
        reqId: request.id,
        method: request.method,
        path: request.url.split('?', 1)[0],
        status,
        ip: request.ip,
        ms: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
    done();
  });
}
