import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DOCS_PATH } from '../common/swagger.js';
import type { Settings } from '../config/settings.js';
import { ALL_SCOPES, CLAIM_SCOPES } from '../roles/scopes.js';
import { Client, USER_GRANT_TYPES } from './client.entity.js';
import { DEFAULT_CLIENT_SCOPE } from './dto/create-client.dto.js';

/** The client Swagger UI's Authorize dialog signs in as (`initOAuth` in common/swagger.ts). */
export const SWAGGER_UI_CLIENT_ID = 'swagger-ui';
/** The development SPA of docs/clients.md: a Vite app on its default port. */
export const DEVELOPMENT_SPA_CLIENT_ID = 'warden-dev-spa';
export const DEVELOPMENT_SPA_REDIRECT_URI = 'http://localhost:5173/callback';

type BuiltInClient = Pick<
  Client,
  | 'clientId'
  | 'name'
  | 'redirectUris'
  | 'postLogoutRedirectUris'
  | 'scope'
  | 'firstParty'
>;

/**
 * The clients that exist without anyone registering them: Swagger UI's, while Swagger UI is
 * served (in production only with SWAGGER_ENABLED=true), and the development SPA's, in
 * development. Both are public and first-party. They are made, brought up to date (PUBLIC_URL may
 * have changed) or removed at every start, by every instance: an insert that another instance
 * won is ignored.
 */
@Injectable()
export class BuiltInClientsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Clients');

  constructor(
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    private readonly config: ConfigService<Settings, true>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const publicUrl = this.config.get('app.PUBLIC_URL', { infer: true });
    const swaggerUi: BuiltInClient = {
      clientId: SWAGGER_UI_CLIENT_ID,
      name: 'Swagger UI',
      redirectUris: [`${publicUrl}/${DOCS_PATH}/oauth2-redirect.html`],
      postLogoutRedirectUris: [],
      // Everything: what an admin's token carries is still limited by the admin's roles.
      scope: [...CLAIM_SCOPES, ...ALL_SCOPES].join(' '),
      firstParty: true,
    };
    const developmentSpa: BuiltInClient = {
      clientId: DEVELOPMENT_SPA_CLIENT_ID,
      name: 'Development SPA',
      redirectUris: [DEVELOPMENT_SPA_REDIRECT_URI],
      postLogoutRedirectUris: ['http://localhost:5173/'],
      scope: DEFAULT_CLIENT_SCOPE,
      firstParty: true,
    };
    await this.keep(
      swaggerUi,
      this.config.get('app.SWAGGER_ENABLED', { infer: true }),
    );
    await this.keep(
      developmentSpa,
      this.config.get('app.NODE_ENV', { infer: true }) === 'development',
    );
  }

  /** Makes `client` exist as described when `wanted`, and not exist otherwise. */
  private async keep(client: BuiltInClient, wanted: boolean): Promise<void> {
    if (!wanted) {
      const { affected } = await this.clients.delete({
        clientId: client.clientId,
      });
      if (affected)
        this.logger.log(`removed the built-in client ${client.clientId}`);
      return;
    }
    const { clientId, ...fields } = client;
    const row = {
      ...fields,
      tokenEndpointAuthMethod: 'none' as const,
      secretHash: null,
      grantTypes: [...USER_GRANT_TYPES],
    };
    await this.clients
      .createQueryBuilder()
      .insert()
      .into(Client)
      .values({ clientId, ...row })
      .orIgnore()
      .execute();
    // Another instance's insert, or an earlier start's with another PUBLIC_URL, is brought up
    // to date.
    await this.clients.update({ clientId }, row);
  }
}
