import { generate } from 'otplib';
import type { BrowserContext, Page } from 'playwright-core';

/** A credential as DevTools' WebAuthn domain gives and takes it (its private key included). */
interface Credential {
  credentialId: string;
  isResidentCredential: boolean;
  privateKey: string;
  signCount: number;
  rpId?: string;
  userHandle?: string;
}

/**
 * Who signs in on Warden's hosted sign-in page in a browser test, and with what: a password, a
 * password and an authenticator code, or a passkey held by the page's virtual authenticator.
 */
export type HostedSignIn =
  | { kind: 'password'; username: string; password: string }
  | { kind: 'totp'; username: string; password: string; secret: string }
  | { kind: 'passkey' };

/** Types and clicks through the hosted sign-in page (and the code page after it, for TOTP). */
export async function signInOnHostedPage(
  page: Page,
  who: HostedSignIn,
  /** Runs on the code page once it is shown (an accessibility check). */
  atCodePage?: () => Promise<void>,
): Promise<void> {
  if (who.kind === 'passkey') {
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    return;
  }
  await page.getByLabel('Username or email').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  if (who.kind === 'totp') {
    const code = page.getByLabel(
      'Code from your authenticator app, or a recovery code',
    );
    await code.waitFor();
    await atCodePage?.();
    // The enrolment spent this step's code: the next step's is inside the drift window.
    await code.fill(
      await generate({
        secret: who.secret,
        epoch: Math.floor(Date.now() / 1000) + 30,
      }),
    );
    await page.getByRole('button', { name: 'Continue' }).click();
  }
}

/** Turns on TOTP for a signed-in account over the JSON API; returns its secret. */
export async function enrolTotp(
  baseUrl: string,
  account: { accessToken: string; password: string },
): Promise<string> {
  const call = async (path: string, body: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${account.accessToken}`,
      },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const { secret } = (await call('/auth/mfa/totp', {
    password: account.password,
  })) as { secret: string };
  await call('/auth/mfa/totp/confirm', { code: await generate({ secret }) });
  return secret;
}

const AUTHENTICATOR = {
  protocol: 'ctap2',
  transport: 'internal',
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
} as const;

/** A DevTools virtual authenticator attached to `page` (each page, popups too, needs its own). */
export async function attachAuthenticator(
  context: BrowserContext,
  page: Page,
): Promise<{
  credentials(): Promise<Credential[]>;
  add(credentials: readonly Credential[]): Promise<void>;
}> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send(
    'WebAuthn.addVirtualAuthenticator',
    { options: AUTHENTICATOR },
  );
  return {
    credentials: async () =>
      (await cdp.send('WebAuthn.getCredentials', { authenticatorId }))
        .credentials,
    add: async (credentials) => {
      for (const credential of credentials)
        await cdp.send('WebAuthn.addCredential', {
          authenticatorId,
          credential,
        });
    },
  };
}

/**
 * Adds a passkey to the account on Warden's own passkeys page, as a user would: signed in there
 * with the password, "Add a passkey", held by `page`'s virtual authenticator.
 */
export async function addPasskeyOnAccountPage(
  page: Page,
  origin: string,
  account: { username: string; password: string },
): Promise<void> {
  await page.goto(`${origin}/account/passkeys`);
  await page.getByLabel('Username or email').fill(account.username);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page
    .getByRole('button', { name: 'Sign in with your password' })
    .click();
  await page.getByText('Signed in with your password').waitFor();
  await page.getByLabel('Passkey name').fill('Virtual authenticator');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByText('Passkey added: Virtual authenticator').waitFor();
}
