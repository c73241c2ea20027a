import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Length,
  ValidateBy,
} from 'class-validator';
import { SingleLineText } from '../../common/text-fields.js';
import { USER_SCOPES } from '../../roles/roles.js';
import { CLAIM_SCOPES, isScope } from '../../roles/scopes.js';
import {
  CLIENT_ASSERTION_ALGORITHMS,
  clientJwksProblem,
} from '../client-keys.js';
import {
  CLIENT_GRANT_TYPES,
  type ClientJwks,
  type ClientGrantType,
  ID_TOKEN_ALGORITHMS,
  USER_GRANT_TYPES,
  type IdTokenAlgorithm,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type TokenEndpointAuthMethod,
} from '../client.entity.js';
import { redirectUriProblem } from '../redirect-uris.js';

/** More than any real application registers; a bound on what one row holds. */
const MAX_REDIRECT_URIS = 20;

/** What a client is allowed when nothing else is said: OpenID's claims and a user's API scopes. */
export const DEFAULT_CLIENT_SCOPE = [...CLAIM_SCOPES, ...USER_SCOPES].join(' ');

/** The grant types of the DTO being validated (class-validator passes the whole object). */
const grantTypesOf = (object: object): unknown =>
  (object as { grant_types?: unknown }).grant_types;

/**
 * Redirect URIs serve the authorization code flow: a client registered for it needs one, a
 * machine client (client credentials only) may have none.
 */
const redirectMinimum = (object: object, minimum: number): number => {
  const grants = grantTypesOf(object);
  return minimum > 0 &&
    Array.isArray(grants) &&
    !grants.includes('authorization_code')
    ? 0
    : minimum;
};

/** The first problem of a list of redirect URIs, naming the entry, or null. */
function redirectUrisProblem(
  value: unknown,
  property: string,
  minimum: number,
): string | null {
  if (!Array.isArray(value)) return `${property} must be a list of URIs`;
  if (value.length < minimum)
    return `${property} must hold at least ${minimum} URI for the authorization_code grant`;
  if (value.length > MAX_REDIRECT_URIS)
    return `${property} may hold at most ${MAX_REDIRECT_URIS} URIs`;
  for (const [index, uri] of value.entries()) {
    if (typeof uri !== 'string')
      return `${property}[${index}] must be a string`;
    const problem = redirectUriProblem(uri);
    if (problem) return `${property}[${index}] (${uri}) ${problem}`;
  }
  return null;
}

function RedirectUris(minimum: number) {
  return ValidateBy({
    name: 'redirectUris',
    validator: {
      validate: (value: unknown, args) =>
        redirectUrisProblem(
          value,
          args?.property ?? '',
          redirectMinimum(args?.object ?? {}, minimum),
        ) === null,
      defaultMessage: (args) =>
        redirectUrisProblem(
          args?.value,
          args?.property ?? '',
          redirectMinimum(args?.object ?? {}, minimum),
        ) ?? 'invalid redirect URIs',
    },
  });
}

/** Every scope there is, with room to spare; a bound on what one request makes the server split. */
const MAX_SCOPE_LENGTH = 1000;

function scopeProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'scope must be a string';
  if (value.length > MAX_SCOPE_LENGTH)
    return `scope must be at most ${MAX_SCOPE_LENGTH} characters long`;
  const names = value.split(' ').filter(Boolean);
  if (names.length === 0) return 'scope must name at least one scope';
  const unknown = names.filter(
    (name) =>
      !isScope(name) && !(CLAIM_SCOPES as readonly string[]).includes(name),
  );
  return unknown.length > 0
    ? `scope names what is no scope: ${unknown.join(', ')}`
    : null;
}

/** A refresh token comes from a code: alone it could never be issued. */
function grantTypesProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return null;
  return value.includes('refresh_token') &&
    !value.includes('authorization_code')
    ? 'grant_types: refresh_token needs authorization_code'
    : null;
}

/**
 * How the method fits the rest: `private_key_jwt` comes with `jwks`, and only it does; and what
 * only a client that can prove who it is may do (get tokens for itself, read other clients'
 * tokens through introspection): a public client's `client_id` is no proof.
 */
function authMethodProblem(method: unknown, object: object): string | null {
  const jwks = (object as { jwks?: unknown }).jwks;
  if (method === 'private_key_jwt' && jwks === undefined)
    return "private_key_jwt needs the client's public keys in jwks";
  if (method !== 'private_key_jwt' && jwks !== undefined)
    return 'jwks are for token_endpoint_auth_method private_key_jwt';
  if (method !== 'none') return null;
  const grants = grantTypesOf(object);
  if (Array.isArray(grants) && grants.includes('client_credentials'))
    return 'a public client (token_endpoint_auth_method none) cannot use the client_credentials grant: register a confidential one';
  if (
    (object as { allow_introspection?: unknown }).allow_introspection === true
  )
    return 'a public client (token_endpoint_auth_method none) cannot be allowed introspection: register a confidential one';
  return null;
}

/**
 * A client to register, in RFC 7591's names (§2) so that its request and the answer (`ClientDto`)
 * read alike: what `npm run client:create` and `POST /clients` accept.
 */
export class CreateClientDto {
  @ApiProperty({ maxLength: 100, example: 'Acme Notes' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().normalize('NFC') : value,
  )
  @IsString()
  @Length(1, 100)
  @SingleLineText()
  client_name: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['https://notes.example.com/callback'],
    description: `1-${MAX_REDIRECT_URIS} exact-match URIs: https, http on a loopback host, or a private-use scheme (com.example.app:/callback); no wildcards or fragments. Required for the authorization_code grant; a machine client (client_credentials only) has none`,
  })
  @RedirectUris(1)
  redirect_uris: string[] = [];

  @ApiPropertyOptional({
    type: [String],
    example: ['https://notes.example.com/'],
  })
  @IsOptional()
  @RedirectUris(0)
  post_logout_redirect_uris: string[] = [];

  @ApiPropertyOptional({
    type: [String],
    enum: CLIENT_GRANT_TYPES,
    default: USER_GRANT_TYPES,
    description:
      'authorization_code (with refresh_token) signs users in; client_credentials gets tokens for the client itself (a confidential client only: a service calling an API)',
  })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(CLIENT_GRANT_TYPES.length)
  @ArrayUnique()
  @IsIn(CLIENT_GRANT_TYPES, { each: true })
  @ValidateBy({
    name: 'grantTypes',
    validator: {
      validate: (value: unknown) => grantTypesProblem(value) === null,
      defaultMessage: (args) =>
        grantTypesProblem(args?.value) ?? 'invalid grant_types',
    },
  })
  grant_types: ClientGrantType[] = [...USER_GRANT_TYPES];

  @ApiPropertyOptional({
    enum: TOKEN_ENDPOINT_AUTH_METHODS,
    default: 'client_secret_basic',
    description:
      'none: a public client (a SPA, a native app); otherwise a confidential one: client_secret_basic or _post with a secret generated and shown once (RFC 7591 §2 makes client_secret_basic the default), or private_key_jwt with the public keys in jwks',
  })
  @IsOptional()
  @IsIn(TOKEN_ENDPOINT_AUTH_METHODS)
  @ValidateBy({
    name: 'authMethod',
    validator: {
      validate: (value: unknown, args) =>
        authMethodProblem(value, args?.object ?? {}) === null,
      defaultMessage: (args) =>
        authMethodProblem(args?.value, args?.object ?? {}) ??
        'invalid token_endpoint_auth_method',
    },
  })
  token_endpoint_auth_method: TokenEndpointAuthMethod = 'client_secret_basic';

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      "The API owner's own application: its users are not asked for consent",
  })
  @IsOptional()
  @IsBoolean()
  first_party = false;

  @ApiPropertyOptional({
    default: DEFAULT_CLIENT_SCOPE,
    maxLength: MAX_SCOPE_LENGTH,
    description: 'The scopes the client may ask for, space-separated',
  })
  @IsOptional()
  @ValidateBy({
    name: 'clientScope',
    validator: {
      validate: (value: unknown) => scopeProblem(value) === null,
      defaultMessage: (args) => scopeProblem(args?.value) ?? 'invalid scope',
    },
  })
  scope: string = DEFAULT_CLIENT_SCOPE;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: {
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          kid: 'k1',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        },
      ],
    },
    description: `For private_key_jwt (RFC 7523): the client's public keys as a JWK set, at most 10 RSA (2048 bits or more) or P-256 keys, registered inline (Warden fetches nothing). Assertions may be signed ${CLIENT_ASSERTION_ALGORITHMS.join(', ')}`,
  })
  @IsOptional()
  @ValidateBy({
    name: 'clientJwks',
    validator: {
      validate: (value: unknown) => clientJwksProblem(value) === null,
      defaultMessage: (args) =>
        clientJwksProblem(args?.value) ?? 'invalid jwks',
    },
  })
  jwks?: ClientJwks;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      'RFC 9449 §5.2: every token request of this client must carry a DPoP proof, so its access tokens are always bound to its key',
  })
  @IsOptional()
  @IsBoolean()
  dpop_bound_access_tokens = false;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      'May ask the introspection endpoint (RFC 7662) about any token: for a resource server that must see revocation at once. A confidential client only',
  })
  @IsOptional()
  @IsBoolean()
  allow_introspection = false;

  @ApiPropertyOptional({
    enum: ID_TOKEN_ALGORITHMS,
    default: 'RS256',
    description:
      'How ID tokens for this client are signed (OpenID Connect Registration §2); ES256 needs a P-256 key in OIDC_SIGNING_KEY_FILE',
  })
  @IsOptional()
  @IsIn(ID_TOKEN_ALGORITHMS)
  id_token_signed_response_alg: IdTokenAlgorithm = 'RS256';
}
