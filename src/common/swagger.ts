import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  DocumentBuilder,
  type OpenAPIObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { CLIENT_SCOPES } from '../roles/roles.js';
import {
  CLAIM_SCOPE_DESCRIPTIONS,
  SCOPE_DESCRIPTIONS,
  type Scope,
} from '../roles/scopes.js';
import { oauthErrorCode } from './all-exceptions.filter.js';
import { OAUTH_ERRORS_EXTENSION } from './route-facts.js';
import { ConfigService } from '@nestjs/config';
import type { Settings } from '../config/settings.js';
import {
  isProblemCode,
  PROBLEM_JSON,
  PROBLEM_TYPES,
  type ProblemCode,
  problemTypeUri,
} from '../problems/problem-types.js';

export const DOCS_PATH = 'docs';

/**
 * Swagger UI at /docs and the document at /docs-json. Authorize offers a pasted bearer token
 * (`bearer`) and OAuth2 (`oauth2`): the authorization code flow with PKCE on Warden's own sign-in
 * pages (which works for second factors too), and the legacy password flow against /auth/token.
 * `@Auth()` marks each guarded route with both schemes, so padlocks appear on exactly those routes.
 */
export function setupSwagger(app: NestFastifyApplication): OpenAPIObject {
  // A user's token and a client's own token carry different scopes (roles.ts).
  const described = Object.entries(SCOPE_DESCRIPTIONS) as [Scope, string][];
  const userScopes = Object.fromEntries(
    described.filter(([scope]) => !CLIENT_SCOPES.has(scope)),
  );
  const clientScopes = Object.fromEntries(
    described.filter(([scope]) => CLIENT_SCOPES.has(scope)),
  );
  const config = new DocumentBuilder()
    .setTitle('Warden')
    .setDescription(
      'Authentication and authorization done right: an OAuth 2.0 token endpoint, JWT access tokens, ' +
        'rotating refresh tokens, and a todo list and blog behind them. Click **Authorize** and either ' +
        'sign in with the OAuth2 password flow (username or email, and password) or paste an access token.',
    )
    .setVersion('1.0')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'Paste an access_token. A DPoP-bound one (token_type DPoP) is sent as "Authorization: DPoP <token>" with a new proof in the DPoP header each time, which Swagger UI does not make',
      },
      'bearer',
    )
    .addOAuth2(
      {
        type: 'oauth2',
        description:
          'authorizationCode: sign in on Warden’s page (a second factor too), as the built-in client `swagger-ui` with PKCE. password (legacy): type your username (or email) and password here. clientCredentials: a machine client’s own token, with its client_id and secret (docs/clients.md).',
        flows: {
          authorizationCode: {
            authorizationUrl: '/oauth/authorize',
            tokenUrl: '/auth/token',
            scopes: { ...CLAIM_SCOPE_DESCRIPTIONS, ...userScopes },
          },
          password: {
            tokenUrl: '/auth/token',
            scopes: userScopes,
          },
          clientCredentials: {
            tokenUrl: '/auth/token',
            scopes: clientScopes,
          },
        },
      },
      'oauth2',
    )
    .build();
  const publicUrl = app
    .get<ConfigService<Settings, true>>(ConfigService)
    .get('app.PUBLIC_URL', { infer: true });
  const document = withDescribedResponses(
    withUniqueOperationIds(SwaggerModule.createDocument(app, config)),
    publicUrl,
  );
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    swaggerOptions: {
      persistAuthorization: true,
      // The redirect URI the swagger-ui client registered, whichever host the page was opened
      // at (the code flow's popup must come back to PUBLIC_URL's origin: open /docs there).
      oauth2RedirectUrl: `${publicUrl}/${DOCS_PATH}/oauth2-redirect.html`,
      // The client registered for Swagger UI (BuiltInClientsService): a public client, so PKCE
      // and no secret. The password flow sends the id too and the grant ignores it.
      initOAuth: {
        clientId: 'swagger-ui',
        usePkceWithAuthorizationCodeGrant: true,
      },
    },
  });
  return document;
}

/**
 * Routes served at several paths (`/auth/login`, `/login`, `/user/login`) share one handler and
 * so one generated operationId; OpenAPI requires them to be unique: the first path keeps the
 * plain id, the others get their path appended.
 */
function withUniqueOperationIds(document: OpenAPIObject): OpenAPIObject {
  const seen = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item)) {
      if (
        typeof operation !== 'object' ||
        operation === null ||
        !('operationId' in operation)
      ) {
        continue;
      }
      const op = operation as { operationId?: string };
      if (!op.operationId) continue;
      // @nestjs/swagger numbers them `Controller_method[0]`, `[1]`; the brackets end up in
      // Swagger UI's element ids and deep links, so the path names them instead.
      op.operationId = op.operationId.replace(/\[\d+\]$/, '');
      if (seen.has(op.operationId)) {
        op.operationId = `${op.operationId}_${path.replace(/[^A-Za-z0-9]+/g, '_')}`;
      }
      seen.add(op.operationId);
    }
  }
  return document;
}

const OAUTH_ERROR_SCHEMA = '#/components/schemas/OAuthErrorDto';
const PROBLEM_SCHEMAS = [
  '#/components/schemas/ProblemDetailsDto',
  '#/components/schemas/MfaRequiredDto',
];

type MediaObject = { schema?: unknown; example?: unknown };

/**
 * Two finishing touches on every response. One without a description of its own gets the
 * operation's summary (a success) or the status's name (an error), so none is blank. And an
 * error answered with problem details is served as `application/problem+json` (what the server
 * sends), with an example of its own status: the kind the description names first (`mfa_required`)
 * with its type URI, or `about:blank`, and the description as the detail.
 */
function withDescribedResponses(
  document: OpenAPIObject,
  publicUrl: string,
): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as {
      summary?: string;
      [OAUTH_ERRORS_EXTENSION]?: boolean;
      responses?: Record<
        string,
        { description?: string; content?: Record<string, MediaObject> }
      >;
    }[]) {
      for (const [status, response] of Object.entries(
        operation?.responses ?? {},
      )) {
        const code = Number(status);
        response.description ||=
          code < 400 && operation.summary
            ? operation.summary
            : (STATUS_CODES[code] ?? status);
        if (code < 400) continue;
        if (operation[OAUTH_ERRORS_EXTENSION]) {
          response.content = {
            'application/json': {
              schema: { $ref: OAUTH_ERROR_SCHEMA },
              example: {
                error: oauthErrorCode(code),
                error_description: response.description,
              },
            },
          };
          continue;
        }
        const json = response.content?.['application/json'];
        if (!json || !isProblemSchema(json.schema)) continue;
        const kind = [...response.description.matchAll(/`([a-z_]+)`/g)].find(
          ([, name]) => isProblemCode(name),
        )?.[1] as ProblemCode | undefined;
        response.content = {
          [PROBLEM_JSON]: {
            ...json,
            example: kind
              ? {
                  type: problemTypeUri(publicUrl, kind),
                  title: PROBLEM_TYPES[kind].title,
                  status: code,
                  detail: response.description,
                  error: kind,
                }
              : {
                  type: 'about:blank',
                  title: STATUS_CODES[code],
                  status: code,
                  detail: response.description,
                },
          },
        };
      }
    }
  }
  return document;
}

const isProblemSchema = (schema: unknown): boolean =>
  PROBLEM_SCHEMAS.some((ref) => JSON.stringify(schema ?? {}).includes(ref));
