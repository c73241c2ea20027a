import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';

/** Headers must be complete this soon after a connection opens (or the request's start). */
const MAX_HEADERS_TIMEOUT_MS = 10_000;
/** How often Node looks for requests past their deadline (its default is 30 s). */
const CHECK_INTERVAL_MS = 1_000;
/** File descriptors kept back from MAX_CONNECTIONS' default for the database, Redis and files. */
const RESERVED_DESCRIPTORS = 128;
const FALLBACK_MAX_CONNECTIONS = 1000;

/**
 * The default cap on open connections: the process's soft limit on open files less a reserve,
 * so that a flood of connections is refused at accept time instead of leaving the process
 * unable to open its database connection or a file (EMFILE). Read from /proc on Linux.
 */
export function defaultMaxConnections(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max open files\s+(\d+)/m.exec(limits)?.[1];
    if (soft !== undefined) {
      return Math.max(16, Number(soft) - RESERVED_DESCRIPTORS);
    }
  } catch {
    // Not Linux, or /proc is not mounted: the fallback below.
  }
  return FALLBACK_MAX_CONNECTIONS;
}

/**
 * Bounds what a slow or idle client can hold (docs/security.md, "Slow clients"):
 * a request's headers and body must arrive within `requestTimeoutMs` (headers within 10 s),
 * else Node answers 408 and closes the connection; at most `maxConnections` are open at once,
 * and connections past that are closed as they arrive.
 */
export function limitConnections(
  server: Server,
  options: { requestTimeoutMs: number; maxConnections: number },
): void {
  server.requestTimeout = options.requestTimeoutMs;
  server.headersTimeout = Math.min(
    MAX_HEADERS_TIMEOUT_MS,
    options.requestTimeoutMs,
  );
  // Read by Node when the server starts listening, so setting it here (before listen) works.
  (
    server as Server & { connectionsCheckingInterval: number }
  ).connectionsCheckingInterval = CHECK_INTERVAL_MS;
  server.maxConnections = options.maxConnections;
}
