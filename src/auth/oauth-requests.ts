import { OAuthException } from './oauth.exception.js';

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * The parameters of a form-encoded OAuth request (RFC 6749 §4.3.2, RFC 7009 §2.1): a parameter
 * that is empty counts as omitted and one sent twice is `invalid_request` (§3.2); parameters
 * nobody reads are ignored.
 */
export class OAuthParams {
  private constructor(private readonly params: Record<string, unknown>) {}

  /** The body as parameters, or `invalid_request` when it is not a form. */
  static fromForm(
    contentType: string | undefined,
    body: unknown,
    endpoint: string,
  ): OAuthParams {
    const mediaType = contentType?.split(';')[0].trim().toLowerCase();
    if (
      mediaType !== FORM_CONTENT_TYPE ||
      typeof body !== 'object' ||
      body === null
    ) {
      throw new OAuthException(
        'invalid_request',
        `${endpoint} accepts ${FORM_CONTENT_TYPE} bodies only`,
      );
    }
    return new OAuthParams(body as Record<string, unknown>);
  }

  optional(name: string): string | undefined {
    const value = this.params[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') {
      throw new OAuthException(
        'invalid_request',
        `${name} must be sent exactly once`,
      );
    }
    return value;
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) {
      throw new OAuthException('invalid_request', `${name} is required`);
    }
    return value;
  }
}

/**
 * RFC 7009 §2.1: `token` is required; `token_type_hint` only orders the search, so it is ignored.
 * The parameters come along for the client's authentication.
 */
export function parseRevocationRequest(
  contentType: string | undefined,
  body: unknown,
): { token: string; params: OAuthParams } {
  const params = OAuthParams.fromForm(
    contentType,
    body,
    'The revocation endpoint',
  );
  return { token: params.required('token'), params };
}
