/**
 * The kinds of error a client may branch on, each with its RFC 9457 problem type
 * (`<PUBLIC_URL>/problems/<code>`, a page that describes it) and the `error` code that the
 * documentation has always named. An error that means no more than its HTTP status (a 404, a
 * 409, a 429) has no kind of its own: its type is `about:blank` (RFC 9457 §4.2.1) and its title
 * the status's name.
 */
export interface ProblemType {
  /** Short, the same for every occurrence (RFC 9457 §3.1.3). */
  title: string;
  /** The status this kind is usually answered with; some kinds come with another. */
  status: number;
  /** What it means and what to do: the page of the type URI, and docs/api.md. */
  description: string;
}

export const PROBLEM_TYPES = {
  validation_failed: {
    title: 'The request has invalid fields',
    status: 400,
    description:
      'A field of the body (or a query parameter) is missing, of the wrong type, out of range, or not allowed. `errors` lists each one: `pointer` is the field as an RFC 6901 JSON Pointer into the body (or the query parameters), `detail` says what is wrong with it.',
  },
  invalid_credentials: {
    title: 'Incorrect username or password',
    status: 401,
    description:
      'The username (or email) and password do not sign in: the same answer for an unknown user, a wrong password and a disabled account.',
  },
  mfa_required: {
    title: 'A second factor is required',
    status: 401,
    description:
      'The password was right and the account has a second factor: send `mfa_token` (in this answer; single use, valid for 5 minutes) with a code from the authenticator, or a recovery code, to `POST /auth/mfa/verify`.',
  },
  invalid_mfa_token: {
    title: 'The mfa_token is invalid, expired or already used: sign in again',
    status: 401,
    description:
      'The `mfa_token` is unknown, expired or already used (or the account changed since): sign in again with the password.',
  },
  invalid_code: {
    title: 'The code is incorrect or already used',
    status: 401,
    description:
      'The one-time code (or recovery code) is wrong or already used. Each wrong code spends from the account’s guess budget; the `mfa_token` or the enrolment under way stays usable.',
  },
  email_not_verified: {
    title: 'The email address is not verified',
    status: 403,
    description:
      'The account’s address must be proven first: use the link mailed to it (`POST /auth/email/verify/resend` sends a new one).',
  },
  invalid_or_expired_token: {
    title: 'The link is invalid or has expired; ask for a new one',
    status: 400,
    description:
      'The token of a mailed link is unknown, of another kind, expired or already used: ask for a new link.',
  },
  passkey_sign_in_failed: {
    title: 'The passkey could not sign you in; start again',
    status: 401,
    description:
      'An unknown passkey, a spent or expired challenge, a wrong origin, a signature counter that went backwards (a cloned authenticator), or an inactive account: start again with new options.',
  },
  invalid_passkey_response: {
    title: 'The passkey response could not be verified',
    status: 400,
    description:
      'The authenticator’s response does not fit the ceremony under way (wrong or spent challenge, origin or signature): start again with new options.',
  },
  invalid_request: {
    title: 'The Authorization header is malformed',
    status: 400,
    description:
      'RFC 6750 §3.1: the `Authorization` header must be `Bearer <token>`. The `WWW-Authenticate` header says the same.',
  },
  invalid_token: {
    title: 'The access token is invalid',
    status: 401,
    description:
      'RFC 6750 §3.1: the access token is expired, revoked, malformed, or its account or session has ended. Refresh it, or sign in again.',
  },
  insufficient_scope: {
    title: 'The access token lacks a scope',
    status: 403,
    description:
      'RFC 6750 §3.1: the route needs a scope the token does not carry (named in `WWW-Authenticate`); the user’s roles may not grant it.',
  },
  invalid_dpop_proof: {
    title: 'The DPoP proof is missing or invalid',
    status: 401,
    description:
      'RFC 9449: the access token is bound to a key (DPoP), and the request’s `DPoP` header is missing, or its proof is not for this request (method, URL, access token), too old, used before, or signed by another key. Make a new proof for every request; `detail` says what was wrong.',
  },
  use_dpop_nonce: {
    title: 'The DPoP proof needs a nonce from this server',
    status: 401,
    description:
      'RFC 9449 §9: this server requires a nonce in DPoP proofs (DPOP_NONCE=required). Send the request again with a proof whose `nonce` is the `DPoP-Nonce` header of this answer.',
  },
  user_token_required: {
    title: 'This route needs a signed-in user’s token',
    status: 403,
    description:
      'The access token is a machine client’s own (the client credentials grant: no user behind it), and the route acts for a signed-in user. Only the routes that document a client scope (such as `users:read` on `GET /users`) take a client’s token.',
  },
  insufficient_user_authentication: {
    title: 'A stronger or more recent sign-in is required',
    status: 401,
    description:
      'RFC 9470: this action needs a sign-in with a second factor (`acr_values` in `WWW-Authenticate`) or one more recent than `max_age` seconds: sign in again, then retry.',
  },
} as const satisfies Record<string, ProblemType>;

export type ProblemCode = keyof typeof PROBLEM_TYPES;

export const PROBLEM_CODES = Object.keys(PROBLEM_TYPES) as ProblemCode[];

export const isProblemCode = (value: unknown): value is ProblemCode =>
  typeof value === 'string' && Object.hasOwn(PROBLEM_TYPES, value);

export const PROBLEMS_PATH = 'problems';

/** The type URI of a kind of problem, on the server that answered. */
export const problemTypeUri = (publicUrl: string, code: ProblemCode): string =>
  `${publicUrl}/${PROBLEMS_PATH}/${code}`;

export const PROBLEM_JSON = 'application/problem+json';

/** Problem details of an error that means no more than its status (RFC 9457 §4.2.1). */
export const aboutBlankProblem = (
  status: number,
  statusName: string,
  detail: string,
) => ({ type: 'about:blank', title: statusName, status, detail });
