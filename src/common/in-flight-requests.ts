import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** Bytes already on a socket when shutdown begins get this long to become a counted request. */
const SETTLE_MS = 150;

/**
 * Counts requests between arrival and the end of their response, so that shutdown can wait for
 * them. Counted on Node's own objects, not in Fastify hooks: a response always ends with a
 * `close` event, whether it was sent or the client hung up first (a login abandoned while argon2
 * runs, an upload cut off mid-body), so the count cannot leak; Fastify runs neither `onResponse`
 * nor `onRequestAbort` for a reply that goes to a closed socket. Once draining, every response
 * says `Connection: close`, so that keep-alive clients take their next request elsewhere instead
 * of onto a socket about to close.
 */
export class InFlightRequests {
  private count = 0;
  private draining = false;

  constructor(server: Server) {
    server.on('request', (_request, response) => {
      this.count++;
      if (this.draining) response.setHeader('Connection', 'close');
      response.once('close', () => this.count--);
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
