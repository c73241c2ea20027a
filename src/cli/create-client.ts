import { parseArgs } from 'node:util';
import { ClientsService } from '../clients/clients.service.js';
import { ClientDto } from '../clients/dto/client.dto.js';
import { CreateClientDto } from '../clients/dto/create-client.dto.js';
import { validationPipe } from '../common/validation.js';
import { runCommand, withApplication } from './run-command.js';

const USAGE = `Usage: npm run client:create -- --name NAME --redirect-uri URI [--redirect-uri URI ...]
       [--post-logout-redirect-uri URI ...] [--confidential] [--first-party] [--scope "SCOPES"]
       [--id-token-alg RS256|ES256] [--allow-introspection]
       npm run client:create -- --name NAME --machine [--scope users:read] [--allow-introspection]
       [--jwks '{"keys":[...]}'] [--dpop-only]
Registers an application that signs users in through Warden and prints it as JSON. A
--confidential client (a server) gets a client_secret, printed this once and never again.
Redirect URIs match exactly: https, http on a loopback host (any port on 127.0.0.1 or [::1], for
native apps), or a private-use scheme such as com.example.app:/callback.
A --machine client (a service: confidential, client_credentials only, no redirect URIs) gets
tokens for itself; --allow-introspection lets a client (a resource server) introspect tokens.
--jwks registers the client's public keys: it authenticates with private_key_jwt, not a secret.
--dpop-only: the client's access tokens are always DPoP-bound (RFC 9449 §5.2).`;

/** Registers a client against the database DATABASE_URL names. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      confidential: { type: 'boolean', default: false },
      machine: { type: 'boolean', default: false },
      'allow-introspection': { type: 'boolean', default: false },
      jwks: { type: 'string' },
      'dpop-only': { type: 'boolean', default: false },
      'first-party': { type: 'boolean', default: false },
      scope: { type: 'string' },
      'id-token-alg': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const machine = values.machine;
  if (values.help || !values.name || (!machine && !values['redirect-uri'])) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  let jwks: unknown;
  if (values.jwks !== undefined) {
    try {
      jwks = JSON.parse(values.jwks);
    } catch {
      console.error('--jwks must be a JSON JWK set: {"keys": [...]}');
      return 2;
    }
  }
  const fields = (await validationPipe.transform(
    {
      client_name: values.name,
      redirect_uris: values['redirect-uri'] ?? [],
      post_logout_redirect_uris: values['post-logout-redirect-uri'] ?? [],
      token_endpoint_auth_method:
        jwks !== undefined
          ? 'private_key_jwt'
          : values.confidential || machine
            ? 'client_secret_basic'
            : 'none',
      ...(jwks !== undefined && { jwks }),
      dpop_bound_access_tokens: values['dpop-only'],
      ...(machine && {
        grant_types: ['client_credentials'],
        scope: values.scope ?? 'users:read',
      }),
      allow_introspection: values['allow-introspection'],
      first_party: values['first-party'],
      ...(values.scope !== undefined && { scope: values.scope }),
      ...(values['id-token-alg'] !== undefined && {
        id_token_signed_response_alg: values['id-token-alg'],
      }),
    },
    { type: 'body', metatype: CreateClientDto },
  )) as CreateClientDto;

  return withApplication(async (app) => {
    const { client, secret } = await app.get(ClientsService).create(fields);
    console.log(JSON.stringify(ClientDto.from(client, secret), null, 2));
    return 0;
  });
}

runCommand(main);
