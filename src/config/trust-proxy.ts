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

const ADDRESS_OR_SUBNET = /^[0-9A-Fa-f:.]+(\/\d{1,3})?$/;

export function isValidTrustProxy(value: string): boolean {
  const parsed = parseTrustProxy(value);
  return (
    typeof parsed === 'function' ||
    (Array.isArray(parsed) &&
      parsed.every((entry) => ADDRESS_OR_SUBNET.test(entry)))
  );
}
