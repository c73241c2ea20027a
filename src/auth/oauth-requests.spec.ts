import type { ClientInfo } from '../common/client-info.js';
import type { TokenResponseDto } from './dto/token-response.dto.js';
import { TokenEndpoint } from './grants/token-endpoint.service.js';
import type { TokenGrant } from './grants/token-grant.js';
import { OAuthException } from './oauth.exception.js';
import { OAuthParams, parseRevocationRequest } from './oauth-requests.js';

const FORM = 'application/x-www-form-urlencoded';
const CLIENT: ClientInfo = { ip: '127.0.0.1', userAgent: 'spec' };

async function oauthError(run: () => unknown): Promise<{
  error: string;
  description: string;
}> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthException);
    const body = (error as OAuthException).getResponse() as {
      error: string;
      error_description: string;
    };
    return { error: body.error, description: body.error_description };
  }
  throw new Error('no OAuthException');
}

/** A grant that answers with the parameters it read, so dispatch can be seen. */
const echoGrant = (names: string[]): TokenGrant => ({
  grant: ({ params }) =>
    Promise.resolve({
      access_token: names.map((name) => params.optional(name)).join(','),
    } as TokenResponseDto),
});

describe('TokenEndpoint (RFC 6749 §3.2)', () => {
  const endpoint = new TokenEndpoint(
    new Map([
      ['password', echoGrant(['username', 'password'])],
      ['refresh_token', echoGrant(['refresh_token'])],
    ]),
    // No request here carries a DPoP proof (test/dpop.e2e-spec.ts sends them).
    {} as never,
  );
  const context = {
    client: CLIENT,
    authorization: undefined,
    dpop: { proof: undefined, path: '/auth/token' },
  };

  it('hands a request to the grant its grant_type names; unknown parameters are ignored', async () => {
    const tokens = await endpoint.grant(
      `${FORM}; charset=UTF-8`,
      {
        grant_type: 'password',
        username: 'jane',
        password: 'pw',
        client_id: 'swagger',
      },
      context,
    );
    expect(tokens.access_token).toBe('jane,pw');
  });

  it.each([
    ['JSON', 'application/json', { grant_type: 'password' }, 'invalid_request'],
    [
      'no content type',
      undefined,
      { grant_type: 'password' },
      'invalid_request',
    ],
    ['no body', FORM, undefined, 'invalid_request'],
    [
      'a repeated parameter',
      FORM,
      { grant_type: ['password', 'password'] },
      'invalid_request',
    ],
    ['no grant_type', FORM, {}, 'invalid_request'],
    [
      'another grant',
      FORM,
      { grant_type: 'client_credentials' },
      'unsupported_grant_type',
    ],
    [
      "a name from Object's prototype",
      FORM,
      { grant_type: 'constructor' },
      'unsupported_grant_type',
    ],
  ])('refuses %s', async (_, contentType, body, error) => {
    expect(
      (await oauthError(() => endpoint.grant(contentType, body, context)))
        .error,
    ).toBe(error);
  });

  it('names the grants it supports', async () => {
    expect(
      (
        await oauthError(() =>
          endpoint.grant(FORM, { grant_type: 'implicit' }, context),
        )
      ).description,
    ).toBe('Supported grant types: password, refresh_token');
  });
});

describe('OAuthParams (RFC 6749 §3.2)', () => {
  const params = (body: Record<string, unknown>) =>
    OAuthParams.fromForm(FORM, body, 'The token endpoint');

  it('treats an empty parameter as omitted', async () => {
    expect(
      await oauthError(() => params({ username: '' }).required('username')),
    ).toEqual({
      error: 'invalid_request',
      description: 'username is required',
    });
    expect(params({ scope: '' }).optional('scope')).toBeUndefined();
  });

  it('refuses a parameter sent twice', async () => {
    expect(
      (await oauthError(() => params({ scope: ['a', 'b'] }).optional('scope')))
        .description,
    ).toBe('scope must be sent exactly once');
  });
});

describe('parseRevocationRequest (RFC 7009)', () => {
  it('reads the token and ignores the hint', () => {
    expect(
      parseRevocationRequest(FORM, { token: 't', token_type_hint: 'bogus' })
        .token,
    ).toBe('t');
  });

  it('requires a form body with the token', async () => {
    expect(
      (await oauthError(() => parseRevocationRequest(FORM, {}))).description,
    ).toBe('token is required');
    expect(
      (
        await oauthError(() =>
          parseRevocationRequest('application/json', { token: 't' }),
        )
      ).description,
    ).toContain('accepts application/x-www-form-urlencoded bodies only');
  });
});
