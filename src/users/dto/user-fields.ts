import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
} from 'class-validator';
import { SingleLineText } from '../../common/text-fields.js';
import { identifierProblem, normalizeIdentifier } from '../identifiers.js';

/**
 * The field rules of docs/api.md, shared by signup, profile edits and admin edits so that every
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
    // Fullwidth `ｊane` is `jane`: compared (and refused as taken) as what it looks like.
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.normalize('NFKC') : value,
    ),
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
      description:
        'Stored and compared after Unicode NFKC normalisation and lower-casing; invisible, control and bidi characters, and letters of mixed scripts in one part, are refused',
    }),
    ...(options.optional ? [IsOptional()] : []),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? normalizeIdentifier(value) : value,
    ),
    IsString(),
    MaxLength(254),
    UnconfusableIdentifier(),
    IsEmail({}, { message: 'email must be a valid email address' }),
  );
}

export function FullNameField() {
  return applyDecorators(
    ApiPropertyOptional({
      type: String,
      maxLength: 100,
      example: 'Jane Doe',
      nullable: true,
      description:
        'Shown publicly on posts: one line, no control or bidi characters (stored in Unicode NFC)',
    }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.normalize('NFC') : value,
    ),
    IsString(),
    MaxLength(100),
    SingleLineText(),
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

function UnconfusableIdentifier() {
  return ValidateBy({
    name: 'unconfusableIdentifier',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && identifierProblem(value) === null,
      defaultMessage: (args) =>
        `${args?.property ?? 'value'} ${identifierProblem(String(args?.value)) ?? 'is not acceptable'}`,
    },
  });
}
