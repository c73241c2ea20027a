import { ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';

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
};

export const validationPipe = new ValidationPipe(VALIDATION_OPTIONS);
