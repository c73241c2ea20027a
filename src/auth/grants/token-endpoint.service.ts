import type { ClientInfo } from '../../common/client-info.js';
import type { TokenResponseDto } from '../dto/token-response.dto.js';
import { OAuthException } from '../oauth.exception.js';
import { OAuthParams } from '../oauth-requests.js';
import type { TokenGrant } from './token-grant.js';

/** `POST /auth/token` (RFC 6749 §3.2): the request's `grant_type` picks its grant. */
export class TokenEndpoint {
  constructor(private readonly grants: ReadonlyMap<string, TokenGrant>) {}

  /** RFC 6749 §4.3.2: the body must be form-encoded. */
  grant(
    contentType: string | undefined,
    body: unknown,
    client: ClientInfo,
    authorization: string | undefined,
  ): Promise<TokenResponseDto> {
    const params = OAuthParams.fromForm(
      contentType,
      body,
      'The token endpoint',
    );
    const grantType = params.optional('grant_type');
    if (grantType === undefined)
      throw new OAuthException('invalid_request', 'grant_type is required');
    const grant = this.grants.get(grantType);
    if (!grant)
      throw new OAuthException(
        'unsupported_grant_type',
        `Supported grant types: ${[...this.grants.keys()].join(', ')}`,
      );
    return grant.grant({ params, client, authorization });
  }
}
