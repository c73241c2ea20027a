import { Injectable, Logger } from '@nestjs/common';
import type { ClientInfo } from '../common/client-info.js';
import type { Client, ClientGrantType } from '../clients/client.entity.js';
import { ClientsService } from '../clients/clients.service.js';
import { decodeJwt } from 'jose';
import {
  ClientAssertions,
  JWT_BEARER_ASSERTION,
} from './client-assertions.service.js';
import { invalidClient, OAuthException } from './oauth.exception.js';
import type { OAuthParams } from './oauth-requests.js';

/** What a token request says about its client, before anything is checked. */
type PresentedClient =
  | {
      clientId: string;
      secret: string | undefined;
      method: 'client_secret_basic' | 'client_secret_post' | 'none';
    }
  | { clientId: string; assertion: string; method: 'private_key_jwt' };

/** Longer than any client_id Warden makes or accepts at registration. */
const MAX_CLIENT_ID_LENGTH = 64;

/**
 * Client authentication at the token endpoint (RFC 6749 §2.3): `client_secret_basic` (the
 * Authorization header, whose id and secret are form-url-encoded before base64, §2.3.1),
 * `client_secret_post` (`client_id` and `client_secret` in the body), `private_key_jwt` (a
 * signed `client_assertion`, RFC 7523: `ClientAssertions`), or a public client's `client_id`
 * alone. A client must use the method it registered, and only one at a time.
 *
 * Every route that calls this is under the per-IP `AUTH_RATE_LIMIT`, so guessing a secret spends
 * the guesser's budget. There is no per-client lock: anyone who knows a `client_id` could
 * trigger it and lock the real client out.
 */
@Injectable()
export class ClientAuthentication {
  private readonly securityLog = new Logger('Security');

  constructor(
    private readonly clients: ClientsService,
    private readonly assertions: ClientAssertions,
  ) {}

  /**
   * The registered client that made a token request for `grantType`: `invalid_client` when it
   * does not authenticate, `unauthorized_client` when it is not registered for the grant (a
   * public client never is for client_credentials: it proves nothing).
   */
  async authenticateFor(
    grantType: ClientGrantType,
    params: OAuthParams,
    authorization: string | undefined,
    from: ClientInfo,
  ): Promise<Client> {
    const client = await this.authenticate(params, authorization, from);
    const confidentialOnly = grantType === 'client_credentials';
    if (
      !client.grantTypes.includes(grantType) ||
      (confidentialOnly && client.tokenEndpointAuthMethod === 'none')
    )
      throw new OAuthException(
        'unauthorized_client',
        `This client is not registered for the ${grantType} grant`,
      );
    return client;
  }

  /** The registered client that made this request, or `invalid_client`. */
  async authenticate(
    params: OAuthParams,
    authorization: string | undefined,
    from: ClientInfo,
  ): Promise<Client> {
    const presented = presentedClient(params, authorization);
    if (!presented)
      throw invalidClient(
        'Client authentication is required: client_id, and the secret of a confidential client',
      );
    const client = await this.clients.findByClientId(presented.clientId);
    let refusal: string | null = null;
    if (!client) refusal = 'Unknown client or wrong client secret';
    else if (client.tokenEndpointAuthMethod !== presented.method)
      refusal = `This client authenticates with ${client.tokenEndpointAuthMethod}`;
    else if (presented.method === 'private_key_jwt') {
      const verdict = await this.assertions.verify(client, presented.assertion);
      if (!verdict.ok) refusal = verdict.reason;
    } else if (
      presented.method !== 'none' &&
      (presented.secret === undefined ||
        !this.clients.secretMatches(client, presented.secret))
    )
      refusal = 'Unknown client or wrong client secret';
    if (!client || refusal !== null) {
      this.securityLog.warn(
        `client authentication failed: client ${client ? client.clientId : 'unknown'} (${presented.method}), ip ${from.ip}: ${refusal}`,
      );
      throw invalidClient(refusal ?? 'Unknown client');
    }
    return client;
  }
}

function presentedClient(
  params: OAuthParams,
  authorization: string | undefined,
): PresentedClient | null {
  const bodyId = params.optional('client_id');
  const bodySecret = params.optional('client_secret');
  const assertionType = params.optional('client_assertion_type');
  const assertion = params.optional('client_assertion');
  if (bodyId !== undefined && bodyId.length > MAX_CLIENT_ID_LENGTH)
    throw invalidClient('Unknown client or wrong client secret');
  const basic = authorization !== undefined && /^basic /i.test(authorization);
  if (assertionType !== undefined || assertion !== undefined) {
    if (basic || bodySecret !== undefined)
      throw new OAuthException(
        'invalid_request',
        'Use one client authentication method: client_assertion, the Authorization header or client_secret, not two',
      );
    return assertedClient(bodyId, assertionType, assertion);
  }
  if (basic) {
    if (bodySecret !== undefined)
      throw new OAuthException(
        'invalid_request',
        'Use one client authentication method: the Authorization header or client_secret, not both',
      );
    const basic = parseBasic(authorization);
    if (bodyId !== undefined && bodyId !== basic.clientId)
      throw new OAuthException(
        'invalid_request',
        'client_id differs from the Authorization header',
      );
    return { ...basic, method: 'client_secret_basic' };
  }
  if (bodyId === undefined) return null;
  return bodySecret === undefined
    ? { clientId: bodyId, secret: undefined, method: 'none' }
    : { clientId: bodyId, secret: bodySecret, method: 'client_secret_post' };
}

/**
 * RFC 7523 §2.2: the assertion type and the assertion; the client is `client_id` when sent, else
 * the assertion's `sub` (checked against `iss` and `sub` when it is verified).
 */
function assertedClient(
  bodyId: string | undefined,
  assertionType: string | undefined,
  assertion: string | undefined,
): PresentedClient {
  if (assertionType !== JWT_BEARER_ASSERTION)
    throw invalidClient(
      `client_assertion_type must be ${JWT_BEARER_ASSERTION}`,
    );
  if (assertion === undefined)
    throw invalidClient(
      'client_assertion is required with client_assertion_type',
    );
  let clientId = bodyId;
  if (clientId === undefined) {
    try {
      const { sub } = decodeJwt(assertion);
      clientId = sub;
    } catch {
      throw invalidClient('client_assertion is not a JWT');
    }
  }
  if (
    typeof clientId !== 'string' ||
    clientId.length === 0 ||
    clientId.length > MAX_CLIENT_ID_LENGTH
  )
    throw invalidClient('Unknown client');
  return { clientId, assertion, method: 'private_key_jwt' };
}

/** RFC 7617 with RFC 6749 §2.3.1's form-url-encoding of both parts. */
function parseBasic(authorization: string): {
  clientId: string;
  secret: string;
} {
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString(
    'utf8',
  );
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw invalidClient('The Basic credentials are malformed');
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (
    clientId === null ||
    secret === null ||
    clientId.length > MAX_CLIENT_ID_LENGTH
  )
    throw invalidClient('The Basic credentials are malformed');
  return { clientId, secret };
}

/** application/x-www-form-urlencoded decoding of one value; null when it is not valid. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
