import { BadRequestException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, RawServerDefault } from 'fastify';

/**
 * How deep a JSON body may nest. Warden's own bodies are flat; 32 leaves room for a route that
 * takes structured data, and is far below what overflows class-transformer's recursion (a few
 * thousand levels, reached with 14 KB of `[`).
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACKET = 0x5b; // [
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACKET = 0x5d; // ]
const CLOSE_BRACE = 0x7d; // }
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * True when the JSON text nests deeper than `limit`: one pass over the bytes that skips string
 * contents, so it costs the same as reading the body once, whatever the body holds.
 */
export function nestsDeeperThan(json: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const byte = json[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/**
 * How many keys and values a query string or body may hold in all. Warden's largest body has
 * five fields; validating 8,000 unknown ones cost ~160 ms of event loop (and a 400 listing each),
 * which 100 KB buys an attacker.
 */
export const MAX_INPUT_VALUES = 256;

/**
 * Why a parsed query or body is refused before validation, or null: more than MAX_INPUT_VALUES
 * keys and values, a NUL character (PostgreSQL's text types cannot hold it) or a lone UTF-16
 * surrogate (not a character; it cannot be encoded as UTF-8 without loss), in any value or key.
 * The message names the field (`items[0].name`). The walk is iterative and stops at the first
 * problem.
 */
export function inputProblemIn(input: unknown): string | null {
  const pending: [path: string, value: unknown][] = [['', input]];
  let values = 0;
  const tooMany = `A request may hold at most ${MAX_INPUT_VALUES} fields and values`;
  while (pending.length > 0) {
    if (++values > MAX_INPUT_VALUES + 1) return tooMany;
    const [path, value] = pending.pop() as [string, unknown];
    if (typeof value === 'string') {
      const problem = unstorableText(value);
      if (problem) return `${path || 'The input'} must not contain ${problem}`;
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push([`${path}[${index}]`, item]));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        // A key counts as a value of its own, as it costs as much to validate.
        if (++values > MAX_INPUT_VALUES + 1) return tooMany;
        const problem = unstorableText(key);
        if (problem) return `A field name must not contain ${problem}`;
        pending.push([
          path ? `${path}.${shortened(key)}` : shortened(key),
          item,
        ]);
      }
    }
  }
  return null;
}

/** A field name as the message quotes it: the sender chose it, so its length is bounded. */
const shortened = (key: string): string =>
  key.length > 40 ? `${key.slice(0, 40)}…` : key;

// Without the `u` flag a regular expression sees UTF-16 code units, surrogates included.
const LONE_SURROGATE =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function unstorableText(text: string): string | null {
  if (text.includes('\u0000')) return 'NUL (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'unpaired UTF-16 surrogates';
  return null;
}

/**
 * The edge checks every request passes before any route sees it: JSON bodies nested deeper than
 * MAX_JSON_DEPTH are refused before they are parsed (Fastify's own parser, with its
 * prototype-poisoning protection, does the parsing), and a query string or body with too many
 * values, or holding text no database can store, is refused after parsing. Both are 400s, through the exception filter.
 */
export function guardRequestInput(app: NestFastifyApplication): void {
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>(
    'application/json',
    { bodyLimit: fastify.initialConfig.bodyLimit },
    (request, body, done) => {
      if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
        done(
          new BadRequestException(
            `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`,
          ),
          undefined,
        );
        return;
      }
      void parseJson(request, body.toString('utf8'), done);
    },
  );
  fastify.addHook('preValidation', (request, _reply, done) => {
    const problem =
      inputProblemIn(request.query) ?? inputProblemIn(request.body);
    done(problem ? new BadRequestException(problem) : undefined);
  });
}
