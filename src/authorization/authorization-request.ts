import type { Client } from '../clients/client.entity.js';
import { isRegisteredRedirectUri } from '../clients/redirect-uris.js';
import { CLAIM_SCOPES, isScope } from '../roles/scopes.js';

/** The `prompt` values Warden supports (OpenID Connect Core §3.1.2.1). */
export type Prompt = 'none' | 'login' | 'consent';
const PROMPTS = new Set<string>(['none', 'login', 'consent']);

/** What the authorization endpoint was asked, once every check has passed. */
export interface AuthorizationRequest {
  client: Client;
  redirectUri: string;
  state: string | undefined;
  /** The requested scopes the client may ask for (claim and API scopes), in request order. */
  scopes: string[];
  codeChallenge: string;
  nonce: string | undefined;
  prompt: ReadonlySet<Prompt>;
  /** Seconds; a sign-in older than this must be repeated. */
  maxAge: number | undefined;
  loginHint: string | undefined;
  /** The requested `acr_values`, in order of preference (voluntary, Core §3.1.2.1). */
  acrValues: readonly string[];
}

/** An error the user sees on Warden's page, because the client cannot be trusted with it. */
export interface PageError {
  kind: 'page';
  message: string;
}

/** RFC 6749 §4.1.2.1: an error sent back to the client's (registered) redirect URI. */
export interface RedirectError {
  kind: 'redirect';
  redirectUri: string;
  state: string | undefined;
  error:
    | 'invalid_request'
    | 'unsupported_response_type'
    | 'invalid_scope'
    | 'request_not_supported'
    | 'request_uri_not_supported'
    | 'login_required'
    | 'consent_required'
    | 'access_denied';
  description: string;
}

export type ParsedAuthorizationRequest =
  { kind: 'ok'; request: AuthorizationRequest } | PageError | RedirectError;

/** RFC 7636 §4.2: S256 challenges are 43 base64url characters; allow the §4.1 range. */
const CODE_CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;
const MAX_CLIENT_ID_LENGTH = 64;
const MAX_STATE_LENGTH = 2000;
const MAX_NONCE_LENGTH = 512;
const MAX_LOGIN_HINT_LENGTH = 254;
const MAX_ACR_VALUES_LENGTH = 500;
/** A year: larger values are as good as none, and bigger numbers are not worth parsing. */
const MAX_MAX_AGE = 31_536_000;

/** The request's parameters: each name with every value it was sent with. */
export type RequestParameters = ReadonlyMap<string, readonly string[]>;

export function parametersOf(query: string): RequestParameters {
  const params = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(query)) {
    const values = params.get(name);
    if (values) values.push(value);
    else params.set(name, [value]);
  }
  return params;
}

/**
 * Checks an authorization request (RFC 6749 §4.1.1 as OAuth 2.1 and OpenID Connect Core
 * §3.1.2.1 profile it). `client_id` and `redirect_uri` come first: until both are known good,
 * an error is shown on Warden's page, never redirected (§4.1.2.1; an open redirector otherwise).
 * After that, errors go back to the client with `state`.
 */
export async function parseAuthorizationRequest(
  params: RequestParameters,
  findClient: (clientId: string) => Promise<Client | null>,
): Promise<ParsedAuthorizationRequest> {
  const clientId = single(params, 'client_id');
  if (typeof clientId !== 'string' || clientId.length > MAX_CLIENT_ID_LENGTH)
    return page('The request has no valid client_id.');
  const client = await findClient(clientId);
  if (!client) return page('The application that sent you here is unknown.');
  const redirectUri = single(params, 'redirect_uri');
  if (typeof redirectUri !== 'string')
    return page('The request has no valid redirect_uri.');
  if (!isRegisteredRedirectUri(client.redirectUris, redirectUri))
    return page(
      'The request names a redirect_uri the application did not register.',
    );

  const stateValue = single(params, 'state');
  const state = typeof stateValue === 'string' ? stateValue : undefined;
  const fail = (
    error: RedirectError['error'],
    description: string,
  ): RedirectError => ({
    kind: 'redirect',
    redirectUri,
    state,
    error,
    description,
  });

  for (const [name, values] of params)
    if (values.length > 1)
      return fail('invalid_request', `${safeName(name)} is repeated`);
  if (stateValue === INVALID || (state && state.length > MAX_STATE_LENGTH))
    return fail('invalid_request', 'state is too long');
  if (params.has('request'))
    return fail('request_not_supported', 'Request objects are not supported');
  if (params.has('request_uri'))
    return fail('request_uri_not_supported', 'request_uri is not supported');
  const responseType = single(params, 'response_type');
  if (responseType !== 'code')
    return fail(
      responseType === undefined
        ? 'invalid_request'
        : 'unsupported_response_type',
      'response_type must be code',
    );
  const responseMode = single(params, 'response_mode');
  if (responseMode !== undefined && responseMode !== 'query')
    return fail('invalid_request', 'response_mode must be query');

  const codeChallenge = single(params, 'code_challenge');
  if (typeof codeChallenge !== 'string')
    return fail('invalid_request', 'code_challenge is required (PKCE)');
  if (single(params, 'code_challenge_method') !== 'S256')
    return fail('invalid_request', 'code_challenge_method must be S256');
  if (!CODE_CHALLENGE.test(codeChallenge))
    return fail('invalid_request', 'code_challenge is not a S256 challenge');

  const scopes = requestedScopes(single(params, 'scope'), client);
  if (typeof scopes === 'string') return fail('invalid_scope', scopes);

  const prompt = prompts(single(params, 'prompt'));
  if (typeof prompt === 'string') return fail('invalid_request', prompt);

  const nonce = single(params, 'nonce');
  if (nonce === INVALID || (nonce && nonce.length > MAX_NONCE_LENGTH))
    return fail('invalid_request', 'nonce is too long');
  const maxAgeValue = single(params, 'max_age');
  let maxAge: number | undefined;
  if (maxAgeValue !== undefined) {
    if (maxAgeValue === INVALID || !/^\d{1,10}$/.test(maxAgeValue))
      return fail('invalid_request', 'max_age must be a number of seconds');
    maxAge = Math.min(Number(maxAgeValue), MAX_MAX_AGE);
  }
  const acrValue = single(params, 'acr_values');
  if (
    acrValue === INVALID ||
    (acrValue && acrValue.length > MAX_ACR_VALUES_LENGTH)
  )
    return fail('invalid_request', 'acr_values is not valid');
  const loginHint = single(params, 'login_hint');
  return {
    kind: 'ok',
    request: {
      client,
      redirectUri,
      state,
      scopes,
      codeChallenge,
      nonce: typeof nonce === 'string' ? nonce : undefined,
      prompt,
      maxAge,
      loginHint:
        typeof loginHint === 'string' &&
        loginHint.length <= MAX_LOGIN_HINT_LENGTH
          ? loginHint
          : undefined,
      acrValues: (acrValue ?? '').split(' ').filter(Boolean),
    },
  };
}

const INVALID = Symbol('invalid');

/** A parameter's one value: undefined when absent or empty, INVALID when repeated or unsafe. */
function single(
  params: RequestParameters,
  name: string,
): string | undefined | typeof INVALID {
  const values = params.get(name);
  if (!values || values.length === 0) return undefined;
  if (values.length > 1) return INVALID;
  const [value] = values;
  if (value === '') return undefined;
  // Control characters (NUL, CR, LF, ...) belong in none of these parameters.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return INVALID;
  return value;
}

const page = (message: string): PageError => ({ kind: 'page', message });

/** A parameter name for a message: short and printable, or a placeholder. */
const safeName = (name: string): string =>
  /^[a-z_]{1,32}$/.test(name) ? name : 'A parameter';

/**
 * The scopes asked for, each one the client is registered for; the client's registered scopes
 * when none are asked for. A message for `invalid_scope` otherwise. The user's roles narrow API
 * scopes later, when the code is issued (RFC 6749 §3.3 lets the server grant fewer).
 */
function requestedScopes(
  value: string | undefined | typeof INVALID,
  client: Client,
): string[] | string {
  if (value === INVALID) return 'scope is not valid';
  const allowed = new Set(client.scope.split(' ').filter(Boolean));
  if (value === undefined) return [...allowed];
  const names = [...new Set(value.split(' ').filter(Boolean))];
  const known = (name: string) =>
    isScope(name) || (CLAIM_SCOPES as readonly string[]).includes(name);
  const refused = names.find((name) => !known(name) || !allowed.has(name));
  if (refused !== undefined)
    return known(refused)
      ? `This client may not ask for ${refused}`
      : 'scope names an unknown scope';
  return names.length > 0 ? names : [...allowed];
}

function prompts(
  value: string | undefined | typeof INVALID,
): Set<Prompt> | string {
  if (value === INVALID) return 'prompt is not valid';
  const values = new Set((value ?? '').split(' ').filter(Boolean));
  for (const prompt of values)
    if (!PROMPTS.has(prompt)) return 'prompt may be none, login or consent';
  if (values.has('none') && values.size > 1)
    return 'prompt=none cannot be combined with other values';
  return values as Set<Prompt>;
}
