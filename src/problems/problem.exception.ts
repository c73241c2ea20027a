import { HttpExceptionWithHeaders } from '../common/http-exception-with-headers.js';
import { PROBLEM_TYPES, type ProblemCode } from './problem-types.js';

/** One field that failed validation: an RFC 6901 pointer and what is wrong with it. */
export interface FieldProblem {
  pointer: string;
  detail: string;
}

export interface ProblemOptions {
  /** This occurrence, in words; the kind's title when absent. */
  detail?: string;
  /** When this occurrence answers with another status than the kind's usual one. */
  status?: number;
  /** Members beyond RFC 9457's own (`mfa_token`, `errors`). */
  extensions?: Record<string, unknown>;
  headers?: Readonly<Record<string, string>>;
}

/**
 * An error of a kind that clients branch on (`PROBLEM_TYPES`). The exception filter writes it
 * as RFC 9457 problem details with the kind's type URI, title and `error` code; errors that mean
 * no more than their status are Nest's own exceptions (`NotFoundException('Todo not found')`).
 */
export class ProblemException extends HttpExceptionWithHeaders {
  constructor(
    readonly code: ProblemCode,
    options: ProblemOptions = {},
  ) {
    const detail = options.detail ?? PROBLEM_TYPES[code].title;
    super(
      { error: code, detail, ...options.extensions },
      options.status ?? PROBLEM_TYPES[code].status,
      options.headers ?? {},
    );
    this.message = detail;
  }
}
