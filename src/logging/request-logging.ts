import type { FastifyInstance } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The id of the request being served, for every line written while serving it. Only the id
 * is stored: nestjs-pino's own context (`runInContext`) builds a child logger per request,
 * which costs on every request for lines that are only rarely written.
 */
const currentRequestId = new AsyncLocalStorage<string>();

/** pino `mixin`: adds `reqId` to a line written while a request is being served. */
export function requestIdMixin(): { reqId?: string } {
  const reqId = currentRequestId.getStore();
  return reqId === undefined ? {} : { reqId };
}

/**
 * One log line per request (method, path without the query string, which may carry tokens,
 * status, time), and the request id on every line written while serving it: each handler runs
 * inside a context holding `reqId`, entered after Fastify has parsed the body.
 */
export function logRequests(fastify: FastifyInstance): void {
  // The access line is built here from fields that are never secret, so it skips redaction.
  const accessLog = PinoLogger.root.child({}, { redact: [] });
  fastify.addHook('preHandler', (request, _reply, done) => {
    currentRequestId.run(request.id, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (accessLog.isLevelEnabled(level)) {
      accessLog[level](
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
    }
    done();
  });
}
