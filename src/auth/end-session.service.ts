import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import type { Client } from '../clients/client.entity.js';
import { ClientsService } from '../clients/clients.service.js';
import type { Settings } from '../config/settings.js';
import type { Session } from '../sessions/session.entity.js';
import { SessionsService } from '../sessions/sessions.service.js';
import {
  parametersOf,
  type RequestParameters,
} from '../authorization/authorization-request.js';
import type { AuthorizationOutcome } from './authorization-endpoint.service.js';
import {
  confirmSignOutPage,
  errorPage,
  signedOutPage,
} from './hosted-pages/pages.js';
import { OidcKeys } from '../authorization/oidc-keys.js';

/** What the controller knows of the browser when a sign-out is asked for. */
export interface SignOutBrowser {
  sessionSecret: string | undefined;
  csrfToken: string;
}

/** A sign-out outcome: a page or a redirect, and whether to clear the session cookie. */
export type SignOutOutcome = AuthorizationOutcome & { clearCookie?: boolean };

/** What an id_token_hint says, once its signature (ours) and issuer are checked. */
interface Hint {
  clientId: string;
  sessionId: string;
  userId: string;
}

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): a client sends the browser to
 * `end_session_endpoint`. With a valid `id_token_hint` for the browser's current session, the
 * session ends at once; without one (or for another session), the user is asked to confirm, so
 * that a link on any site cannot sign people out. The browser is sent on only to a
 * `post_logout_redirect_uri` the client registered, exactly; an unregistered one is an error
 * page, never a redirect.
 */
@Injectable()
export class EndSessionService {
  private readonly securityLog = new Logger('Security');
  private readonly issuer: string;

  constructor(
    private readonly sessions: SessionsService,
    private readonly clients: ClientsService,
    private readonly keys: OidcKeys,
    config: ConfigService<Settings, true>,
  ) {
    this.issuer = config.get('auth.JWT_ISSUER', { infer: true });
  }

  /** GET or POST /oauth/logout. */
  async request(
    query: string,
    browser: SignOutBrowser,
  ): Promise<SignOutOutcome> {
    const params = parametersOf(query);
    const checked = await this.check(params);
    if ('outcome' in checked) return checked.outcome;
    const { hint, client, redirectUri, state } = checked;
    const session = browser.sessionSecret
      ? await this.sessions.findBrowserSession(browser.sessionSecret)
      : null;
    if (!session)
      // Nothing to end here: signed out already (or elsewhere).
      return this.after(redirectUri, state, false);
    if (hint && hint.sessionId === session.id && hint.userId === session.userId)
      return this.end(session, redirectUri, state);
    return {
      kind: 'page',
      status: 200,
      html: confirmSignOutPage(
        { csrfToken: browser.csrfToken, request: query },
        client?.name,
      ),
      redirectUri,
    };
  }

  /** POST /oauth/logout/confirm: the user said yes. */
  async confirm(
    query: string,
    browser: SignOutBrowser,
  ): Promise<SignOutOutcome> {
    const checked = await this.check(parametersOf(query));
    if ('outcome' in checked) return checked.outcome;
    const session = browser.sessionSecret
      ? await this.sessions.findBrowserSession(browser.sessionSecret)
      : null;
    if (!session) return this.after(checked.redirectUri, checked.state, false);
    return this.end(session, checked.redirectUri, checked.state);
  }

  private async end(
    session: Session,
    redirectUri: string | undefined,
    state: string | undefined,
  ): Promise<SignOutOutcome> {
    await this.sessions.endSession(session.id, 'logout');
    this.securityLog.log(
      `logout: user ${session.userId} browser session ${session.id}`,
    );
    return this.after(redirectUri, state, true);
  }

  private after(
    redirectUri: string | undefined,
    state: string | undefined,
    clearCookie: boolean,
  ): SignOutOutcome {
    if (!redirectUri)
      return {
        kind: 'page',
        status: 200,
        html: signedOutPage(),
        clearCookie,
      };
    const url = new URL(redirectUri);
    if (state !== undefined) url.searchParams.append('state', state);
    return { kind: 'redirect', location: url.toString(), clearCookie };
  }

  /**
   * The parameters, checked: the hint (ignored when it is not one of our ID tokens), the client
   * (from `client_id`, or the hint's audience; both must agree), and the redirect URI, which
   * must be one the client registered.
   */
  private async check(params: RequestParameters): Promise<
    | {
        hint: Hint | null;
        client: Client | null;
        redirectUri: string | undefined;
        state: string | undefined;
      }
    | { outcome: SignOutOutcome }
  > {
    const one = (name: string): string | undefined => {
      const values = params.get(name);
      return values && values.length === 1 && values[0] !== ''
        ? values[0]
        : undefined;
    };
    const fail = (message: string) => ({
      outcome: {
        kind: 'page',
        status: 400,
        html: errorPage('This sign-out link is not valid', message),
      } as SignOutOutcome,
    });
    for (const values of params.values())
      if (values.length > 1) return fail('A parameter is repeated.');
    const hintToken = one('id_token_hint');
    const hint = hintToken ? this.verifyHint(hintToken) : null;
    const clientId = one('client_id');
    if (hint && clientId !== undefined && hint.clientId !== clientId)
      return fail('client_id is not the audience of id_token_hint.');
    const id = clientId ?? hint?.clientId;
    const client =
      id !== undefined && id.length <= 64
        ? await this.clients.findByClientId(id)
        : null;
    const redirectUri = one('post_logout_redirect_uri');
    if (redirectUri !== undefined) {
      if (!client)
        return fail(
          'post_logout_redirect_uri needs a known client_id or id_token_hint.',
        );
      if (!client.postLogoutRedirectUris.includes(redirectUri))
        return fail(
          'post_logout_redirect_uri is not one the application registered.',
        );
    }
    return { hint, client, redirectUri, state: one('state') };
  }

  /**
   * An ID token of ours, expired or not (§2: the hint may have expired), signed by an ID-token
   * key (chosen by `kid`), typed `JWT`: an access token (`at+jwt`, even one signed with the same
   * key) is no hint.
   */
  private verifyHint(token: string): Hint | null {
    if (token.length > 8192) return null;
    const decoded = jwt.decode(token, { complete: true });
    const kid = decoded?.header.kid;
    const verification =
      kid === undefined ? undefined : this.keys.verificationKey(kid);
    if (!verification || decoded?.header.typ !== 'JWT') return null;
    try {
      const claims = jwt.verify(token, verification.key, {
        algorithms: [verification.algorithm],
        issuer: this.issuer,
        ignoreExpiration: true,
      }) as JwtPayload;
      return typeof claims.aud === 'string' &&
        typeof claims.sid === 'string' &&
        typeof claims.sub === 'string'
        ? { clientId: claims.aud, sessionId: claims.sid, userId: claims.sub }
        : null;
    } catch {
      return null;
    }
  }
}
