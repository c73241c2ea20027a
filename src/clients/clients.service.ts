import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Repository } from 'typeorm';
import { hashSecretToken, newSecretToken } from '../common/secret-token.js';
import { Client, type ClientGrantType } from './client.entity.js';
import type { CreateClientDto } from './dto/create-client.dto.js';

/** A client as created: the secret is here once, and nowhere afterwards. */
export interface CreatedClient {
  client: Client;
  /** A confidential client's secret (256 random bits, base64url); null for a public client. */
  secret: string | null;
}

/** 18 random bytes: 24 base64url characters, which no one takes for a user's UUID. */
const CLIENT_ID_BYTES = 18;

const GRANT_TYPES: ClientGrantType[] = ['authorization_code', 'refresh_token'];

/** The registry of clients: creates them, finds them by `client_id`, checks their secrets. */
@Injectable()
export class ClientsService {
  constructor(
    @InjectRepository(Client) private readonly clients: Repository<Client>,
  ) {}

  async create(
    fields: CreateClientDto,
    clientId = randomBytes(CLIENT_ID_BYTES).toString('base64url'),
  ): Promise<CreatedClient> {
    const secret = fields.confidential ? newSecretToken() : null;
    const client = await this.clients.save(
      this.clients.create({
        clientId,
        name: fields.name,
        secretHash: secret === null ? null : hashSecretToken(secret),
        redirectUris: fields.redirectUris,
        postLogoutRedirectUris: fields.postLogoutRedirectUris ?? [],
        grantTypes: GRANT_TYPES,
        scope: [...new Set(fields.scope.split(' ').filter(Boolean))].join(' '),
        firstParty: fields.firstParty ?? false,
      }),
    );
    return { client, secret };
  }

  findByClientId(clientId: string): Promise<Client | null> {
    return this.clients.findOneBy({ clientId });
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
