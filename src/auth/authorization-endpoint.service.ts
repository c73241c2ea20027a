import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuthorizationCodesService } from '../authorization/authorization-codes.service.js';
import {
  type AuthorizationRequest,
  parametersOf,
  parseAuthorizationRequest,
  type RedirectError,
  type RequestParameters,
} from '../authorization/authorization-request.js';
import { ConsentsService } from '../authorization/consents.service.js';
import { ClientsService } from '../clients/clients.service.js';
import type { ClientInfo } from '../common/client-info.js';
import type { Settings } from '../config/settings.js';
import { grantedScopes } from '../roles/roles.js';
import { isScope } from '../roles/scopes.js';
import {
  ACR_MULTI_FACTOR,
  acrOf,
  type Authentication,
  PASSWORD_SIGN_IN,
} from '../sessions/authentication.js';
import type { Session } from '../sessions/session.entity.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { User } from '../users/user.entity.js';
import {
  consentPage,
  errorPage,
  type FormContext,
  secondFactorPage,
  signInPage,
} from './hosted-pages/pages.js';
import { MfaSignIn, PASSWORD_AND_CODE_METHODS } from './mfa-sign-in.service.js';
import { PasswordSignIn } from './password-sign-in.service.js';
import { AuthService } from './auth.service.js';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { SignInFailure } from './sign-in-outcomes.js';

/** What the controller answers: a page, or a 303 (with the browser session's new cookie). */
export type AuthorizationOutcome =
  | {
      kind: 'page';
      status: number;
      html: string;
      /** The origin a form on this page may end up redirecting to (for CSP `form-action`). */
      redirectUri?: string;
    }
  | { kind: 'redirect'; location: string; newSession?: NewBrowserSession };

export interface NewBrowserSession {
  cookieSecret: string;
  expiresAt: Date;
}

/** The browser's state as the controller reads it from cookies. */
export interface BrowserState {
  /** The `__Host-warden` cookie's secret, if any. */
  sessionSecret: string | undefined;
  /** A fresh CSRF token for any form the answer shows (made on first read). */
  readonly csrfToken: string;
  client: ClientInfo;
}

const SIGN_IN_FAILED = 'Incorrect username or password.';

/**
 * The authorization endpoint and its hosted pages (RFC 6749 §4.1, OpenID Connect Core §3.1.2):
 * who is signed in in this browser, whether they must sign in (again), whether a third-party
 * client needs their consent, and finally a code sent back to the client with `state` and the
 * RFC 9207 `iss`. The authorization request travels with every form as its query string and is
 * checked again at each step, so no step trusts what an earlier one let through.
 */
@Injectable()
export class AuthorizationEndpoint {
  private readonly securityLog = new Logger('Security');
  private readonly issuer: string;
  private readonly passwordReset: boolean;

  constructor(
    private readonly clients: ClientsService,
    private readonly sessions: SessionsService,
    private readonly consents: ConsentsService,
    private readonly codes: AuthorizationCodesService,
    private readonly passwords: PasswordSignIn,
    private readonly mfaSignIn: MfaSignIn,
    private readonly auth: AuthService,
    config: ConfigService<Settings, true>,
  ) {
    this.issuer = config.get('auth.JWT_ISSUER', { infer: true });
    this.passwordReset = config.get('users.PASSWORD_RESET', { infer: true });
  }

  /** GET or POST /oauth/authorize. */
  async authorize(
    query: string,
    browser: BrowserState,
  ): Promise<AuthorizationOutcome> {
    return this.withRequest(query, async ({ request, params }) => {
      const session = browser.sessionSecret
        ? await this.sessions.findBrowserSession(browser.sessionSecret)
        : null;
      if (!session || this.mustSignIn(request, session)) {
        if (request.prompt.has('none'))
          return this.redirectError(
            request,
            'login_required',
            'Sign-in is required',
          );
        return this.page(
          200,
          this.signInPage(this.form(browser, params), request, {
            username: request.loginHint,
          }),
          request,
        );
      }
      await this.sessions.touchBrowserSession(session, browser.client);
      return this.afterSignIn(request, params, session, browser);
    });
  }

  /** POST /oauth/sign-in: the password, then the second step or on to the request. */
  async signIn(
    query: string,
    username: string | undefined,
    password: string | undefined,
    browser: BrowserState,
  ): Promise<AuthorizationOutcome> {
    return this.withRequest(query, async ({ request, params }) => {
      const form = this.form(browser, params);
      if (!username || !password)
        return this.page(
          400,
          this.signInPage(form, request, {
            username,
            error: 'Enter your username (or email) and password.',
          }),
          request,
        );
      const check = await this.passwords.check(
        { identifier: username, password },
        browser.client,
      );
      if (check.outcome !== 'ok')
        return this.signInFailed(request, form, check, username);
      const secondStep = await this.mfaSignIn.challenge(check.user, []);
      if (secondStep?.outcome === 'mfa_required')
        return this.page(
          200,
          secondFactorPage(form, secondStep.mfaToken),
          request,
        );
      return this.startBrowserSession(
        check.user,
        PASSWORD_SIGN_IN,
        params,
        browser,
      );
    });
  }

  /** POST /oauth/sign-in/second-factor: a TOTP code or a recovery code. */
  async secondFactor(
    query: string,
    mfaToken: string | undefined,
    code: string | undefined,
    browser: BrowserState,
  ): Promise<AuthorizationOutcome> {
    return this.withRequest(query, async ({ request, params }) => {
      const form = this.form(browser, params);
      if (!mfaToken || !code)
        return this.page(
          400,
          secondFactorPage(form, mfaToken ?? '', 'Enter a code.'),
          request,
        );
      // A recovery code is longer than six digits and has letters (see RecoveryCodesService).
      const proof = /^\d{6,8}$/.test(code.trim())
        ? { code: code.trim() }
        : { recoveryCode: code };
      const verified = await this.mfaSignIn.verify(
        mfaToken,
        proof,
        browser.client,
      );
      if ('outcome' in verified) {
        if (verified.outcome === 'invalid_code')
          return this.page(
            401,
            secondFactorPage(
              form,
              mfaToken,
              'That code is not right. Try again.',
            ),
            request,
          );
        return this.signInFailed(request, form, verified);
      }
      return this.startBrowserSession(
        verified.user,
        PASSWORD_AND_CODE_METHODS,
        params,
        browser,
      );
    });
  }

  /**
   * POST /oauth/sign-in/passkey: the page's script put the WebAuthn assertion
   * (`startAuthentication()`'s JSON) in the form. User verification is required, so a passkey is
   * a sign-in with more than one factor: no second step follows.
   */
  async passkey(
    query: string,
    assertion: string | undefined,
    browser: BrowserState,
  ): Promise<AuthorizationOutcome> {
    return this.withRequest(query, async ({ request, params }) => {
      const form = this.form(browser, params);
      const response = parseAssertion(assertion);
      const result = response
        ? await this.auth.verifyPasskey(response, browser.client)
        : ({ outcome: 'passkey_failed' } as const);
      if ('outcome' in result)
        return result.outcome === 'locked'
          ? this.signInFailed(request, form, result)
          : this.page(
              401,
              this.signInPage(form, request, {
                error:
                  'That passkey did not sign you in. Try again, or use your password.',
              }),
              request,
            );
      const { user, verified } = result;
      return this.startBrowserSession(
        user,
        verified.amr,
        params,
        browser,
        verified.passkeyId,
      );
    });
  }

  /** POST /oauth/consent: allow (remembered) or deny. */
  async consent(
    query: string,
    decision: string | undefined,
    browser: BrowserState,
  ): Promise<AuthorizationOutcome> {
    return this.withRequest(query, async ({ request, params }) => {
      const session = browser.sessionSecret
        ? await this.sessions.findBrowserSession(browser.sessionSecret)
        : null;
      // Signed out (or elsewhere ended) since the page was shown: start over.
      if (!session) return this.authorize(params.toString(), browser);
      if (decision !== 'allow')
        return this.redirectError(
          request,
          'access_denied',
          'The user denied the request',
        );
      const scopes = this.grantable(request, session.user);
      if (scopes.length === 0) return this.nothingGrantable(request);
      await this.consents.grant(
        session.userId,
        request.client.clientId,
        scopes,
      );
      return this.issueCode(request, session, scopes);
    });
  }

  private async afterSignIn(
    request: AuthorizationRequest,
    params: URLSearchParams,
    session: Session,
    browser: BrowserState,
  ): Promise<AuthorizationOutcome> {
    const scopes = this.grantable(request, session.user);
    if (scopes.length === 0) return this.nothingGrantable(request);
    const needsConsent =
      !request.client.firstParty &&
      (request.prompt.has('consent') ||
        !(await this.consents.covers(
          session.userId,
          request.client.clientId,
          scopes,
        )));
    if (needsConsent) {
      if (request.prompt.has('none'))
        return this.redirectError(
          request,
          'consent_required',
          'Consent is required',
        );
      return this.page(
        200,
        consentPage(this.form(browser, params), request.client.name, scopes),
        request,
      );
    }
    return this.issueCode(request, session, scopes);
  }

  private async issueCode(
    request: AuthorizationRequest,
    session: Session,
    scopes: readonly string[],
  ): Promise<AuthorizationOutcome> {
    const code = await this.codes.issue({
      clientId: request.client.clientId,
      browserSession: session,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      nonce: request.nonce ?? null,
      scope: scopes.join(' '),
    });
    return {
      kind: 'redirect',
      location: this.withParams(request.redirectUri, {
        code,
        state: request.state,
      }),
    };
  }

  /**
   * The browser is signed in as `user` (a new browser session and its cookie): on to the
   * authorization request.
   */
  async startBrowserSession(
    user: User,
    amr: Authentication['amr'],
    params: URLSearchParams,
    browser: BrowserState,
    passkeyId?: string,
  ): Promise<AuthorizationOutcome> {
    const { session, cookieSecret } = await this.sessions.startBrowserSession(
      user,
      browser.client,
      { amr, time: new Date(), passkeyId },
    );
    this.securityLog.log(
      `login: user ${user.id} browser session ${session.id} (${amr.join(' ')}) ip ${browser.client.ip}`,
    );
    // The sign-in that prompt=login or max_age asked for has happened: resuming must not ask
    // again (max_age=0 would ask forever, the resumed request arriving a moment later).
    const prompt = (params.get('prompt') ?? '')
      .split(' ')
      .filter((value) => value && value !== 'login');
    if (prompt.length > 0) params.set('prompt', prompt.join(' '));
    else params.delete('prompt');
    params.delete('max_age');
    return {
      kind: 'redirect',
      location: `/oauth/authorize?${params.toString()}`,
      newSession: { cookieSecret, expiresAt: session.absoluteExpiresAt },
    };
  }

  /**
   * Whether this browser's sign-in will not do: `prompt=login`, older than `max_age`, or a
   * password-only sign-in when the client asks for `urn:warden:acr:mfa` and the account has a
   * second factor to give it (without one, the ID token's `acr` says what the sign-in was).
   */
  private mustSignIn(request: AuthorizationRequest, session: Session): boolean {
    if (request.prompt.has('login')) return true;
    if (
      request.maxAge !== undefined &&
      session.authTime.getTime() + request.maxAge * 1000 < Date.now()
    )
      return true;
    return (
      request.acrValues[0] === ACR_MULTI_FACTOR &&
      acrOf(session.amr.split(' ')) !== ACR_MULTI_FACTOR &&
      session.user.mfaEnabled
    );
  }

  /** The requested scopes this user can have: claim scopes, and API scopes the roles grant. */
  private grantable(request: AuthorizationRequest, user: User): string[] {
    const granted = grantedScopes(user.roles);
    return request.scopes.filter(
      (scope) => !isScope(scope) || granted.has(scope),
    );
  }

  private nothingGrantable(
    request: AuthorizationRequest,
  ): AuthorizationOutcome {
    return this.redirectError(
      request,
      'invalid_scope',
      'None of the requested scopes can be granted to this user',
    );
  }

  private signInPage(
    form: FormContext,
    request: AuthorizationRequest,
    options: { username?: string; error?: string } = {},
  ): string {
    return signInPage(form, request.client.name, {
      ...options,
      passwordReset: this.passwordReset,
    });
  }

  private signInFailed(
    request: AuthorizationRequest,
    form: FormContext,
    failure: SignInFailure,
    username?: string,
  ): AuthorizationOutcome {
    switch (failure.outcome) {
      case 'locked':
        return this.page(
          429,
          this.signInPage(form, request, {
            username,
            error: `Too many failed attempts. Try again in ${Math.ceil(failure.retryAfterSeconds / 60)} minute(s).`,
          }),
          request,
        );
      case 'unverified':
        return this.page(
          403,
          this.signInPage(form, request, {
            username,
            error:
              'Confirm your email address first: use the link we mailed you.',
          }),
          request,
        );
      case 'invalid_mfa_token':
        return this.page(
          401,
          this.signInPage(form, request, {
            error: 'That took too long. Sign in again.',
          }),
          request,
        );
      default:
        return this.page(
          401,
          this.signInPage(form, request, {
            username,
            error: SIGN_IN_FAILED,
          }),
          request,
        );
    }
  }

  /**
   * Runs a step of the hosted pages on the authorization request it carries, checked again; a
   * request that no longer holds is answered as the authorization endpoint would answer it.
   */
  async withRequest(
    query: string,
    step: (read: {
      request: AuthorizationRequest;
      params: URLSearchParams;
    }) => AuthorizationOutcome | Promise<AuthorizationOutcome>,
  ): Promise<AuthorizationOutcome> {
    const read = await this.readRequest(query);
    return read.kind === 'ok' ? step(read) : read.outcome;
  }

  /** The authorization request a step carries, checked again, or the answer when it fails. */
  private async readRequest(
    query: string,
  ): Promise<
    | { kind: 'ok'; request: AuthorizationRequest; params: URLSearchParams }
    | { kind: 'failed'; outcome: AuthorizationOutcome }
  > {
    const params: RequestParameters = parametersOf(query);
    const parsed = await parseAuthorizationRequest(params, (clientId) =>
      this.clients.findByClientId(clientId),
    );
    if (parsed.kind === 'page')
      return {
        kind: 'failed',
        outcome: {
          kind: 'page',
          status: 400,
          html: errorPage('This sign-in link is not valid', parsed.message),
        },
      };
    if (parsed.kind === 'redirect')
      return { kind: 'failed', outcome: this.redirect(parsed) };
    return {
      kind: 'ok',
      request: parsed.request,
      params: new URLSearchParams(query),
    };
  }

  private redirectError(
    request: AuthorizationRequest,
    error: RedirectError['error'],
    description: string,
  ): AuthorizationOutcome {
    return this.redirect({
      kind: 'redirect',
      redirectUri: request.redirectUri,
      state: request.state,
      error,
      description,
    });
  }

  private redirect(error: RedirectError): AuthorizationOutcome {
    return {
      kind: 'redirect',
      location: this.withParams(error.redirectUri, {
        error: error.error,
        error_description: error.description,
        state: error.state,
      }),
    };
  }

  /** The redirect URI with these parameters and `iss` (RFC 9207) added to its query. */
  private withParams(
    redirectUri: string,
    params: Record<string, string | undefined>,
  ): string {
    const url = new URL(redirectUri);
    for (const [name, value] of Object.entries({ ...params, iss: this.issuer }))
      if (value !== undefined) url.searchParams.append(name, value);
    return url.toString();
  }

  form(browser: BrowserState, params: URLSearchParams): FormContext {
    return { csrfToken: browser.csrfToken, request: params.toString() };
  }

  page(
    status: number,
    html: string,
    request: AuthorizationRequest,
  ): AuthorizationOutcome {
    return { kind: 'page', status, html, redirectUri: request.redirectUri };
  }
}

/** The largest assertion a form may carry: WebAuthn responses are a few kilobytes. */
const MAX_ASSERTION_LENGTH = 16_384;

/** The form's `assertion` field as the JSON object `startAuthentication()` made, or null. */
function parseAssertion(
  assertion: string | undefined,
): AuthenticationResponseJSON | null {
  if (!assertion || assertion.length > MAX_ASSERTION_LENGTH) return null;
  try {
    const value: unknown = JSON.parse(assertion);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as AuthenticationResponseJSON)
      : null;
  } catch {
    return null;
  }
}
