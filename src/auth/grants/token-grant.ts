import type { ClientInfo } from '../../common/client-info.js';
import type { TokenResponseDto } from '../dto/token-response.dto.js';
import type { OAuthParams } from '../oauth-requests.js';

/** One grant type of the token endpoint (RFC 6749 §4 and §6, or an extension grant, §4.5). */
export interface TokenGrant {
  /**
   * Reads this grant's parameters and issues tokens. Every refusal is thrown: an
   * `OAuthException`, or an error the exception filter puts in the RFC 6749 shape.
   */
  grant(request: TokenRequest): Promise<TokenResponseDto>;
}

/** A token request: its parameters, where it came from, and its Authorization header. */
export interface TokenRequest {
  params: OAuthParams;
  client: ClientInfo;
  /** For `client_secret_basic` (RFC 6749 §2.3.1). */
  authorization: string | undefined;
  /** The thumbprint of the key of the request's valid DPoP proof (RFC 9449 §5), or null. */
  dpopJkt: string | null;
}

/** A grant's class, with the `grant_type` value it answers to. */
export interface TokenGrantClass {
  readonly grantType: string;
  new (...args: never[]): TokenGrant;
}
