import {
  BadRequestException,
  Injectable,
  NotFoundException,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { In, type Repository } from 'typeorm';
import { hashSecretToken, newSecretToken } from '../common/secret-token.js';
import { AuthorizationCodesService } from '../authorization/authorization-codes.service.js';
import { ConsentsService } from '../authorization/consents.service.js';
import { OidcKeys } from '../authorization/oidc-keys.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { ClientTokensService } from './client-tokens.service.js';
import { ConfigurationError } from '../config/configuration-error.js';
import { Client, ID_TOKEN_ALGORITHMS } from './client.entity.js';
import type { CreateClientDto } from './dto/create-client.dto.js';

/** A client as created: the secret is here once, and nowhere afterwards. */
export interface CreatedClient {
  client: Client;
  /** A confidential client's secret (256 random bits, base64url); null for a public client. */
  secret: string | null;
}

/** 18 random bytes: 24 base64url characters, which no one takes for a user's UUID. */
const CLIENT_ID_BYTES = 18;

/** How long a list of browser origins is used before it is read again (other instances' changes). */
const BROWSER_ORIGINS_TTL_MS = 30_000;

/** The registry of clients: creates them, finds them by `client_id`, checks their secrets. */
@Injectable()
export class ClientsService implements OnApplicationBootstrap {
  private origins: { value: ReadonlySet<string>; until: number } | null = null;

  constructor(
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    private readonly codes: AuthorizationCodesService,
    private readonly consents: ConsentsService,
    private readonly sessions: SessionsService,
    private readonly oidcKeys: OidcKeys,
    private readonly clientTokens: ClientTokensService,
  ) {}

  async create(
    fields: CreateClientDto,
    clientId = randomBytes(CLIENT_ID_BYTES).toString('base64url'),
  ): Promise<CreatedClient> {
    if (!this.oidcKeys.supports(fields.id_token_signed_response_alg))
      throw new BadRequestException(
        `id_token_signed_response_alg ${fields.id_token_signed_response_alg} needs a P-256 key in OIDC_SIGNING_KEY_FILE, which this server does not have`,
      );
    const method = fields.token_endpoint_auth_method;
    const secret =
      method === 'client_secret_basic' || method === 'client_secret_post'
        ? newSecretToken()
        : null;
    const client = await this.clients.save(
      this.clients.create({
        clientId,
        name: fields.client_name,
        tokenEndpointAuthMethod: method,
        secretHash: secret === null ? null : hashSecretToken(secret),
        redirectUris: fields.redirect_uris,
        postLogoutRedirectUris: fields.post_logout_redirect_uris,
        grantTypes: fields.grant_types,
        allowIntrospection: fields.allow_introspection,
        jwks: fields.jwks ?? null,
        dpopBoundAccessTokens: fields.dpop_bound_access_tokens,
        scope: [...new Set(fields.scope.split(' ').filter(Boolean))].join(' '),
        firstParty: fields.first_party,
        idTokenSignedResponseAlg: fields.id_token_signed_response_alg,
      }),
    );
    this.origins = null;
    return { client, secret };
  }

  /**
   * A start whose ID-token keys cannot sign for every registered client stops, naming the
   * variable: otherwise those clients' token requests would fail one by one (the P-256 key was
   * taken out of OIDC_SIGNING_KEY_FILE while ES256 clients remain).
   */
  async onApplicationBootstrap(): Promise<void> {
    const unsigned = ID_TOKEN_ALGORITHMS.filter(
      (algorithm) => !this.oidcKeys.supports(algorithm),
    );
    if (unsigned.length === 0) return;
    const clients = await this.clients.countBy({
      idTokenSignedResponseAlg: In(unsigned),
    });
    if (clients > 0)
      throw new ConfigurationError([
        `OIDC_SIGNING_KEY_FILE has no key for ${unsigned.join(', ')}, which ${clients} registered client(s) ask ID tokens to be signed with: put the key back (a P-256 key after the RSA one), or remove those clients`,
      ]);
  }

  findByClientId(clientId: string): Promise<Client | null> {
    return this.clients.findOneBy({ clientId });
  }

  async getByClientId(clientId: string): Promise<Client> {
    const client = await this.findByClientId(clientId);
    if (!client) throw new NotFoundException('Client not found');
    return client;
  }

  /**
   * The origins of public clients' redirect URIs (http and https): where browser apps run,
   * which the OAuth endpoints answer cross-origin requests from. Read again at most every
   * BROWSER_ORIGINS_TTL_MS, and at once on this instance after a change.
   */
  async browserOrigins(): Promise<ReadonlySet<string>> {
    if (this.origins && this.origins.until > Date.now())
      return this.origins.value;
    const publicClients = await this.clients.find({
      select: { redirectUris: true },
      where: { tokenEndpointAuthMethod: 'none' },
    });
    const value = new Set<string>();
    for (const client of publicClients)
      for (const uri of client.redirectUris) {
        const url = URL.parse(uri);
        if (url && (url.protocol === 'https:' || url.protocol === 'http:'))
          value.add(url.origin);
      }
    this.origins = { value, until: Date.now() + BROWSER_ORIGINS_TTL_MS };
    return value;
  }

  /** The names of these clients, by `client_id` (removed ones are missing). */
  async namesOf(clientIds: readonly string[]): Promise<Map<string, string>> {
    if (clientIds.length === 0) return new Map();
    const clients = await this.clients.find({
      select: { clientId: true, name: true },
      where: { clientId: In([...clientIds]) },
    });
    return new Map(clients.map((client) => [client.clientId, client.name]));
  }

  /** A page of clients, oldest first, and how many there are. */
  list(limit: number, offset: number): Promise<[Client[], number]> {
    return this.clients.findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
  }

  /**
   * Removes a client, and what it holds: its sessions end and its own tokens are revoked (their
   * access tokens stop working on every instance at once), its unredeemed codes and users'
   * consents to it are deleted.
   */
  async remove(clientId: string): Promise<void> {
    const { affected } = await this.clients.delete({ clientId });
    if (!affected) throw new NotFoundException('Client not found');
    this.origins = null;
    await this.codes.deleteForClient(clientId);
    await this.consents.deleteForClient(clientId);
    await this.sessions.endForClient(clientId);
    await this.clientTokens.revokeForClient(clientId);
  }

  /**
   * Whether `secret` is the client's. The secret is 256 random bits, so one SHA-256 is as good
   * as a slow hash (no dictionary to try) and costs nothing per token request; the comparison
   * takes the same time wherever the hashes differ.
   */
  secretMatches(client: Client, secret: string): boolean {
    if (client.secretHash === null) return false;
    return timingSafeEqual(
      Buffer.from(hashSecretToken(secret), 'hex'),
      Buffer.from(client.secretHash, 'hex'),
    );
  }
}
