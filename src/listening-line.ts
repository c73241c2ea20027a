import type { AddressInfo } from 'node:net';

const EVERY_INTERFACE = new Set(['0.0.0.0', '::']);

/**
 * The line that says the server is up: what is bound (every interface, or one address), the URL
 * to open on this machine, and PUBLIC_URL when clients reach it elsewhere.
 */
export function listeningLine(
  bound: AddressInfo,
  publicUrl: string,
  swagger: boolean,
): string {
  const everywhere = EVERY_INTERFACE.has(bound.address);
  const host = everywhere
    ? 'localhost'
    : bound.family === 'IPv6'
      ? `[${bound.address}]`
      : bound.address;
  const local = `http://${host}:${bound.port}`;
  const what = everywhere
    ? `port ${bound.port} on every interface (${bound.address})`
    : `${host}:${bound.port}`;
  return [
    `Listening on ${what}: open ${local}${swagger ? ` (API docs: ${local}/docs)` : ''}`,
    ...(publicUrl !== local
      ? [`clients reach it at ${publicUrl} (PUBLIC_URL)`]
      : []),
  ].join('; ');
}
