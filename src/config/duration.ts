const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses a duration written as plain seconds (`900`) or with one unit (`15m`, `14d`).
 * Returns NaN for anything else so that validation reports the variable by name.
 */
export function parseDuration(value: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) return Number.NaN;
  return Number(match[1]) * UNIT_SECONDS[match[2] || 's'];
}
