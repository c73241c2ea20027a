import type { ClientInfo } from '../../common/client-info.js';
import type { DpopProofs } from '../dpop-proofs.service.js';
import type { TokenResponseDto } from '../dto/token-response.dto.js';
import { OAuthException } from '../oauth.exception.js';
import { OAuthParams } from '../oauth-requests.js';
import type { TokenGrant } from './token-grant.js';

/** What a token request says beyond its body. */
export interface TokenRequestContext {
  client: ClientInfo;
  authorization: string | undefined;
  /** The `DPoP` header (RFC 9449 §5), and the path the request was made to (for its `htu`). */
  dpop: { proof: string | string[] | undefined; path: string };
}

/** `POST /auth/token` (RFC 6749 §3.2): the request's `grant_type` picks its grant. */
export class TokenEndpoint {
  constructor(
    private readonly grants: ReadonlyMap<string, TokenGrant>,
    private readonly dpopProofs: DpopProofs,
  ) {}

  /** RFC 6749 §4.3.2: the body must be form-encoded. */
  async grant(
    contentType: string | undefined,
    body: unknown,
    { client, authorization, dpop }: TokenRequestContext,
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
    const dpopJkt = await this.dpopKey(dpop);
    return grant.grant({ params, client, authorization, dpopJkt });
  }

  /**
   * The key of a valid DPoP proof, which every token this request issues is bound to; null
   * without one. A proof that is there must be valid: RFC 9449 §5 `invalid_dpop_proof`, or
   * `use_dpop_nonce` with the nonce to use (§8).
   */
  private async dpopKey({
    proof,
    path,
  }: TokenRequestContext['dpop']): Promise<string | null> {
    if (proof === undefined) return null;
    if (typeof proof !== 'string')
      throw new OAuthException(
        'invalid_dpop_proof',
        'Send one DPoP header, with one proof',
      );
    const verdict = await this.dpopProofs.verify(proof, {
      method: 'POST',
      path,
    });
    if (verdict.ok) return verdict.jkt;
    throw new OAuthException(
      verdict.error,
      verdict.error === 'use_dpop_nonce'
        ? verdict.reason
        : `The DPoP proof is invalid: ${verdict.reason}`,
      {},
      400,
      verdict.error === 'use_dpop_nonce' ? { 'DPoP-Nonce': verdict.nonce } : {},
    );
  }
}
