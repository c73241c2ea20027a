import {
  ValidationPipe,
  type ValidationError,
  type ValidationPipeOptions,
} from '@nestjs/common';
import {
  type FieldProblem,
  ProblemException,
} from '../problems/problem.exception.js';

/** RFC 6901: `~` and `/` inside a reference token are escaped. */
const pointerToken = (property: string): string =>
  property.replaceAll('~', '~0').replaceAll('/', '~1');

/** Each failed constraint of a validation tree, at the field it concerns. */
export function fieldProblems(
  errors: readonly ValidationError[],
  parent = '',
): FieldProblem[] {
  return errors.flatMap((error) => {
    // class-validator's "unknown value" error (not an object at all) has no property.
    const pointer = error.property
      ? `${parent}/${pointerToken(error.property)}`
      : parent;
    return [
      ...Object.values(error.constraints ?? {}).map((detail) => ({
        pointer,
        detail,
      })),
      ...fieldProblems(error.children ?? [], pointer),
    ];
  });
}

/** The `validation_failed` problem: every field at once, each with its pointer. */
export function validationProblem(
  errors: readonly ValidationError[],
): ProblemException {
  const problems = fieldProblems(errors);
  return new ProblemException('validation_failed', {
    detail: problems.map((problem) => problem.detail).join('; '),
    extensions: { errors: problems },
  });
}

/**
 * One set of validation rules for every body and query: unknown fields are a 400 that names
 * them, and values are transformed into their DTO classes.
 */
export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => validationProblem(errors),
};

export const validationPipe = new ValidationPipe(VALIDATION_OPTIONS);
