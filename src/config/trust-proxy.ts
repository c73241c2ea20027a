import { isIP } from 'node:net';

/**
 * `TRUST_PROXY`: how many proxy hops (`1`), or which proxy addresses and subnets
 * (`10.0.0.0/8,127.0.0.1`), may set `X-Forwarded-For`. Unset: the socket address is the client,
 * so a forged header changes nothing (rate limits stay per real client).
 */
export function parseTrustProxy(
  value: string | undefined,
): false | string[] | ((address: string, hop: number) => boolean) {
  if (value === undefined || value.trim() === '') return false;
  if (/^\d+$/.test(value.trim())) {
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** proxy-addr's names for the private ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An IP address, optionally with a prefix length that fits it, or a named range. */
function isAddressOrSubnet(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return (
    /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128)
  );
}

export function isValidTrustProxy(value: string): boolean {
  const parsed = parseTrustProxy(value);
  return (
    typeof parsed === 'function' ||
    (Array.isArray(parsed) &&
      parsed.length > 0 &&
      parsed.every(isAddressOrSubnet))
  );
}
