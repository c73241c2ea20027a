import { ValidateBy, type ValidationOptions } from 'class-validator';

/** Marks, embeddings, overrides and isolates that reorder how text is shown. */
export const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
// Every C0 and C1 control, DEL, and the Unicode line and paragraph separators.
const SINGLE_LINE_FORBIDDEN = /[\p{Cc}\u2028\u2029]/u;
// Tab, line feed and carriage return are text; the other controls are not.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const MULTI_LINE_FORBIDDEN = /[\0-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/u;
// Embeddings, overrides and isolates can make text read differently from what it stores
// ("Trojan Source"); the plain direction marks are legitimate in right-to-left writing.
const BIDI_OVERRIDE = /[\u202a-\u202e\u2066-\u2069]/u;

/** A rule that refuses a string matching any of `forbidden`, with one message. */
function TextRule(
  name: string,
  forbidden: RegExp[],
  message: string,
  options?: ValidationOptions,
) {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          !forbidden.some((pattern) => pattern.test(value)),
        defaultMessage: () => message,
      },
    },
    options,
  );
}

/** A one-line text (a title, a name): no control characters, line breaks or bidi controls. */
export const SingleLineText = (options?: ValidationOptions) =>
  TextRule(
    'singleLineText',
    [SINGLE_LINE_FORBIDDEN, BIDI_CONTROL],
    '$property must be one line of text without control or bidi characters',
    options,
  );

/** Free text (a description, a post): line breaks and tabs, but no other control characters. */
export const MultiLineText = (options?: ValidationOptions) =>
  TextRule(
    'multiLineText',
    [MULTI_LINE_FORBIDDEN, BIDI_OVERRIDE],
    '$property must not contain control characters (other than tab and line breaks) or bidi overrides',
    options,
  );
