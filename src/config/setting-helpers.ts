import { registerAs } from '@nestjs/config';
import { Max, getMetadataStorage } from 'class-validator';
import { parseDuration } from './duration.js';

/**
 * What a feature's `*.settings.ts` uses to declare its variables: a class whose properties are
 * the environment variables (named as in the environment, so docs/configuration.md, `.env` and
 * the code say the same name), with class-validator rules and defaults, and the namespace the
 * feature reads them under (`config.get('mail.MAIL_FROM')`). `src/config/settings.ts` validates
 * every feature's class in one pass before the application is built.
 */
export interface SettingsDefinition<N extends string, S extends object> {
  namespace: N;
  schema: new () => S;
  /** The feature's validated values as a `registerAs` namespace for `ConfigModule.forRoot`. */
  register(values: object): ReturnType<typeof registerAs>;
}

export const defineSettings = <N extends string, S extends object>(
  namespace: N,
  schema: new () => S,
): SettingsDefinition<N, S> => ({
  namespace,
  schema,
  register: (values) => registerAs(namespace, () => values),
});

/** The variables a settings class declares: every property that carries a rule. */
export function variablesOf(schema: new () => object): string[] {
  return [
    ...new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(schema, '', true, false)
        .map((metadata) => metadata.propertyName),
    ),
  ];
}

export const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim())
    ? Number(value)
    : value;

export const toDuration = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? parseDuration(value) : value;

export const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const normalised = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(normalised)) return true;
  if (['false', '0', 'no'].includes(normalised)) return false;
  return value;
};

export const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : value;

export const DURATION = {
  message: '$property must be a duration such as 900, 15m or 14d',
};

export const DAY = 86400;

/** A lifetime cap, with the reason in the message (docs/configuration.md). */
export const atMost = (seconds: number, why: string) =>
  Max(seconds, {
    message: `$property must be at most ${seconds / DAY}d (${seconds} seconds): ${why}`,
  });
