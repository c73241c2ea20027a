import type { ValidationError } from 'class-validator';

/** Every problem of a start's settings, one line each (one line in all when there is one). */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0]}`
        : `Invalid configuration (${problems.length} problems):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigurationError';
  }
}

/**
 * One message per variable: the constraint written first on the property (class-validator
 * runs them bottom-up, so it is the last to report), which says what the value must be; those
 * below it refine a value of the right kind (`PORT=3000x` is "must be an integer number", not also
 * "must not be greater than 65535").
 */
export function oneProblemPerVariable(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => {
    const messages = Object.values(error.constraints ?? {});
    return messages.length > 0 ? [messages[messages.length - 1]] : [];
  });
}
