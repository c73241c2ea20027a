import { OAuthException } from './oauth.exception.js';
import { parseRevocationRequest, parseTokenRequest } from './oauth-requests.js';

const FORM = 'application/x-www-form-urlencoded';

function oauthError(run: () => unknown): {
  error: string;
  description: string;
} {
  try {
    run();
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

describe('parseTokenRequest (RFC 6749)', () => {
  it('reads a password grant, ignoring parameters it does not use', () => {
    expect(
      parseTokenRequest(`${FORM}; charset=UTF-8`, {
        grant_type: 'password',
        username: 'jane',
        password: 'pw',
        client_id: 'swagger',
      }),
    ).toEqual({
      grantType: 'password',
      username: 'jane',
      password: 'pw',
      scope: undefined,
    });
  });

  it('reads a refresh grant with a scope', () => {
    expect(
      parseTokenRequest(FORM, {
        grant_type: 'refresh_token',
        refresh_token: 'r',
        scope: 'profile',
      }),
    ).toEqual({
      grantType: 'refresh_token',
      refreshToken: 'r',
      scope: 'profile',
    });
  });

  it('treats an empty parameter as omitted', () => {
    expect(
      oauthError(() =>
        parseTokenRequest(FORM, {
          grant_type: 'password',
          username: '',
          password: 'p',
        }),
      ),
    ).toEqual({
      error: 'invalid_request',
      description: 'username is required',
    });
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
  ])('refuses %s', (_, contentType, body, error) => {
    expect(oauthError(() => parseTokenRequest(contentType, body)).error).toBe(
      error,
    );
  });
});

describe('parseRevocationRequest (RFC 7009)', () => {
  it('reads the token and ignores the hint', () => {
    expect(
      parseRevocationRequest(FORM, { token: 't', token_type_hint: 'bogus' }),
    ).toBe('t');
  });

  it('requires a form body with the token', () => {
    expect(oauthError(() => parseRevocationRequest(FORM, {})).description).toBe(
      'token is required',
    );
    expect(
      oauthError(() =>
        parseRevocationRequest('application/json', { token: 't' }),
      ).description,
    ).toContain('accepts application/x-www-form-urlencoded bodies only');
  });
});
