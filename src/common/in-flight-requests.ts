import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';

/** Bytes already on a socket when shutdown begins get this long to become a counted request. */
const SETTLE_MS = 150;

/**
 * Counts requests between arrival and response, so that shutdown can wait for them. Once
 * draining, every response says `Connection: close`, so that keep-alive clients take their
 * next request elsewhere instead of onto a socket about to close.
 */
export class InFlightRequests {
  private count = 0;
  private draining = false;

  constructor(fastify: FastifyInstance) {
    fastify.addHook('onRequest', (_request, reply, done) => {
      this.count++;
      if (this.draining) void reply.header('Connection', 'close');
      done();
    });
    fastify.addHook('onResponse', (_request, _reply, done) => {
      this.count--;
      done();
    });
    fastify.addHook('onRequestAbort', (_request, done) => {
      this.count--;
      done();
    });
  }

  /**
   * Starts draining and resolves true once no request is in flight (after a short settling
   * time), or false when `timeoutMs` passes first.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    const deadline = Date.now() + timeoutMs;
    await sleep(SETTLE_MS);
    while (this.count > 0) {
      if (Date.now() > deadline) return false;
      await sleep(10);
    }
    return true;
  }
}
