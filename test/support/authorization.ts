import { ClientsService } from '../../src/clients/clients.service.js';
import { CreateClientDto } from '../../src/clients/dto/create-client.dto.js';
import { validationPipe } from '../../src/common/validation.js';
import type { TestUser } from './api.js';
import type { BrowserAgent } from './browser-agent.js';
import { TEST_ISSUER } from './jwt.js';
import type { TestApp } from './test-app.js';

/** The redirect URI the test clients register. */
export const REDIRECT = 'https://app.example.com/callback';

/** Registers a client as the CLI and the admin route do (first-party and public unless said). */
export async function registerClient(
  t: TestApp,
  fields: Record<string, unknown> = {},
): Promise<{ clientId: string; secret: string | null }> {
  const dto = (await validationPipe.transform(
    {
      client_name: 'Notes',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      first_party: true,
      scope: 'openid profile email account todos:read',
      ...fields,
    },
    { type: 'body', metatype: CreateClientDto },
  )) as CreateClientDto;
  const { client, secret } = await t.app.get(ClientsService).create(dto);
  return { clientId: client.clientId, secret };
}

export const authorizeUrl = (params: Record<string, string | undefined>) => {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) query.append(name, value);
  return `/oauth/authorize?${query.toString()}`;
};

/** The parameters of a redirect to the client, which must go to REDIRECT. */
export function callback(location: string | undefined): URLSearchParams {
  expect(location).toBeDefined();
  const url = new URL(location as string);
  expect(`${url.origin}${url.pathname}`).toBe(REDIRECT);
  expect(url.searchParams.get('iss')).toBe(TEST_ISSUER);
  return url.searchParams;
}

/** A code request for `clientId`, as a client would start it. */
export const codeRequest = (
  clientId: string,
  challenge: string,
  extra: Record<string, string | undefined> = {},
) =>
  authorizeUrl({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'xyz',
    ...extra,
  });

/** Signs `user` in on the sign-in page `page` and follows Warden's redirects. */
export async function signInOnPage(
  browser: BrowserAgent,
  page: { status: number; text: string },
  user: TestUser,
) {
  expect(page.status).toBe(200);
  const signedIn = await browser.submit(page as never, {
    username: user.username,
    password: user.password,
  });
  expect(signedIn.status).toBe(303);
  return browser.follow(signedIn);
}

/**
 * The token request that redeems `code` for a client of the test's REDIRECT (RFC 6749 §4.1.3
 * with PKCE), with `client_id` when the client authenticates as a public one.
 */
export const codeRedemption = (
  code: string,
  verifier: string,
  clientId?: string,
): Record<string, string> => ({
  grant_type: 'authorization_code',
  code,
  redirect_uri: REDIRECT,
  code_verifier: verifier,
  ...(clientId !== undefined && { client_id: clientId }),
});
