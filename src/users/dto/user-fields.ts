import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsEmail,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
} from 'class-validator';

/**
 * The field rules of API.md §6, shared by signup, profile edits and admin edits so that every
 * route that accepts a username, email, name or password applies the same limits.
 */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;

export function UsernameField(options: { optional: boolean }) {
  return applyDecorators(
    (options.optional ? ApiPropertyOptional : ApiProperty)({
      description:
        '3-32 characters of A-Z, a-z, 0-9, `_`, `.` and `-`; unique regardless of case',
      example: 'jane_doe',
      pattern: USERNAME_PATTERN.source,
    }),
    ...(options.optional ? [IsOptional()] : []),
    IsString(),
    Matches(USERNAME_PATTERN, {
      message:
        'username must be 3-32 characters of letters, digits, "_", "." and "-"',
    }),
  );
}

export function EmailField(options: { optional: boolean }) {
  return applyDecorators(
    (options.optional ? ApiPropertyOptional : ApiProperty)({
      format: 'email',
      maxLength: 254,
      example: 'jane@example.com',
      description: 'Compared case-insensitively and stored lower-cased',
    }),
    ...(options.optional ? [IsOptional()] : []),
    IsString(),
    MaxLength(254),
    IsEmail({}, { message: 'email must be a valid email address' }),
  );
}

export function FullNameField() {
  return applyDecorators(
    ApiPropertyOptional({
      maxLength: 100,
      example: 'Jane Doe',
      nullable: true,
    }),
    IsOptional(),
    IsString(),
    MaxLength(100),
  );
}

/** Passwords count code points (an emoji is one character), are never trimmed or truncated. */
export function NewPasswordField(name = 'password') {
  return applyDecorators(
    ApiProperty({
      minLength: 8,
      maxLength: 128,
      example: 'correct horse battery staple',
      description:
        '8-128 characters, any Unicode; must not be a common password or contain your username or email',
    }),
    IsString(),
    CodePointLength(8, 128, name),
  );
}

function CodePointLength(min: number, max: number, name: string) {
  return ValidateBy({
    name: 'codePointLength',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string') return false;
        let length = 0;
        for (const _ of value) {
          if (++length > max) return false;
        }
        return length >= min;
      },
      defaultMessage: () =>
        `${name} must be between ${min} and ${max} characters long`,
    },
  });
}
