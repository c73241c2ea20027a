// The plugins' type augmentations (reply.setCookie, request.cookies, generateCsrf, ...).
import type {} from '@fastify/cookie';
import type {} from '@fastify/csrf-protection';
import {
  Body,
  Controller,
  Get,
  Header,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../access/auth.decorator.js';
import { clientInfo } from '../common/client-info.js';
import { AuthRateLimited } from '../rate-limit/auth-rate-limit.decorator.js';
import {
  AuthorizationEndpoint,
  type BrowserState,
} from './authorization-endpoint.service.js';
import { HostedAccountPages } from './hosted-account.service.js';
import {
  EndSessionService,
  type SignOutOutcome,
} from './end-session.service.js';
import {
  clearSessionCookie,
  sessionSecretOf,
  setSessionCookie,
} from './hosted-pages/browser-cookies.js';
import { CsrfGuard } from './hosted-pages/csrf.guard.js';
import { HostedPageFilter } from './hosted-pages/hosted-page.filter.js';
import { pagesCsp } from './hosted-pages/pages-csp.js';
import { SIGN_IN_SCRIPT } from './hosted-pages/sign-in.script.js';

/** A hosted form's fields: strings only; anything else counts as absent. */
type FormBody = Record<string, unknown> | undefined;

const field = (body: FormBody, name: string): string | undefined => {
  const value = body?.[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * The authorization endpoint (`/oauth/authorize`) and the hosted pages it shows: sign-in, the
 * second factor, signup, forgot-password, consent. Browsers, not API clients, talk to these routes, so they are left out
 * of the OpenAPI document (the discovery document names the endpoint) and answer with pages.
 * Every form is CSRF-protected, and every POST is answered with a page or a 303 (RFC 9700
 * §4.12: never a 307, which would replay the password to the client).
 */
@ApiExcludeController()
@Public()
@UseFilters(HostedPageFilter)
@Controller('oauth')
export class AuthorizeController {
  constructor(
    private readonly endpoint: AuthorizationEndpoint,
    private readonly endSession: EndSessionService,
    private readonly accountPages: HostedAccountPages,
  ) {}

  @Get('authorize')
  async authorizeGet(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.respond(request, reply, (browser) =>
      this.endpoint.authorize(queryOf(request), browser),
    );
  }

  /** OpenID Connect Core §3.1.2.1: the same request, form-encoded in a POST body. */
  @Post('authorize')
  async authorizePost(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: FormBody,
  ): Promise<void> {
    await this.respond(request, reply, (browser) =>
      this.endpoint.authorize(formQuery(body), browser),
    );
  }

  @Post('sign-in')
  @UseGuards(CsrfGuard)
  @AuthRateLimited()
  async signIn(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: FormBody,
  ): Promise<void> {
    await this.respond(request, reply, (browser) =>
      this.endpoint.signIn(
        field(body, 'request') ?? '',
        field(body, 'username'),
        field(body, 'password'),
        browser,
      ),
    );
  }

  @Post('sign-in/passkey')
  @UseGuards(CsrfGuard)
  @AuthRateLimited()
  async signInWithPasskey(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: FormBody,
  ): Promise<void> {
    await this.respond(request, reply, (browser) =>
      this.endpoint.passkey(
        field(body, 'request') ?? '',
        field(body, 'assertion'),
        browser,
      ),
    );
  }

  @Get('sign-in.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  signInScript(): string {
    return SIGN_IN_SCRIPT;
  }

  @Post('sign-in/second-factor')
  @UseGuards(CsrfGuard)
  @AuthRateLimited()
  async secondFactor(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: FormBody,
  ): Promise<void> {
    await this.respond(request, reply, (browser) =>
      this.endpoint.secondFactor(
        field(body, 'request') ?? '',
        field(body, 'mfa_token'),
        field(body, 'code'),
        browser,
      ),
    );
  }

  @Get('sign-up')
  async signUpForm(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.respond(request, reply, (browser) =>
      this.accountPages.signUpForm(queryOf(request), browser),
    );
  }

  @Post('sign-up')
  @UseGuards(CsrfGuard)
  @AuthRateLimited()
  async signUp(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: FormBody,
  ): Promise<void> {
    await this.respond(request, reply, (browser) =>
      this.accountPages.signUp(
        field(body, 'request') ?? '',
        field(body, 'email'),
        field(body, 'password'),
        browser,
      ),
    );
  }

  @Get('forgot-password')
  async forgotPasswordForm(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.respond(request, reply, (browser) =>
      this.accountPages.forgotPasswordForm(queryOf(request), browser),
    );
  }

  @Post('forgot-password')
  @UseGuards(CsrfGuard)
  @AuthRateLimited()
  async forgotPassword(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: FormBody,
  ): Promise<void> {
    await this.respond(request, reply, (browser) =>
      this.accountPages.forgotPassword(
        field(body, 'request') ?? '',
        field(body, 'email'),
        browser,
      ),
    );
  }

  @Post('consent')
  @UseGuards(CsrfGuard)
  async consent(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: FormBody,
  ): Promise<void> {
    await this.respond(request, reply, (browser) =>
      this.endpoint.consent(
        field(body, 'request') ?? '',
        field(body, 'decision'),
        browser,
      ),
    );
  }

  /** OpenID Connect RP-Initiated Logout 1.0 §2: GET, or the same parameters POSTed. */
  @Get('logout')
  async logoutGet(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.respond(request, reply, (browser) =>
      this.endSession.request(queryOf(request), browser),
    );
  }

  @Post('logout')
  async logoutPost(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: FormBody,
  ): Promise<void> {
    await this.respond(request, reply, (browser) =>
      this.endSession.request(formQuery(body), browser),
    );
  }

  @Post('logout/confirm')
  @UseGuards(CsrfGuard)
  async logoutConfirm(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: FormBody,
  ): Promise<void> {
    await this.respond(request, reply, (browser) =>
      this.endSession.confirm(field(body, 'request') ?? '', browser),
    );
  }

  /** Runs one step for this browser and sends its page or redirect. */
  private async respond(
    request: FastifyRequest,
    reply: FastifyReply,
    step: (browser: BrowserState) => Promise<SignOutOutcome>,
  ): Promise<void> {
    this.answer(reply, await step(this.browser(request, reply)));
  }

  private browser(request: FastifyRequest, reply: FastifyReply): BrowserState {
    let csrfToken: string | undefined;
    return {
      sessionSecret: sessionSecretOf(request),
      // Made when a page with a form reads it: a redirect needs none (nor the cookie it sets).
      get csrfToken() {
        return (csrfToken ??= reply.generateCsrf());
      },
      client: clientInfo(request),
    };
  }

  private answer(reply: FastifyReply, outcome: SignOutOutcome): void {
    void reply.header('Cache-Control', 'no-store');
    if (outcome.clearCookie) clearSessionCookie(reply);
    if (outcome.kind === 'redirect') {
      if (outcome.newSession)
        setSessionCookie(
          reply,
          outcome.newSession.cookieSecret,
          outcome.newSession.expiresAt,
        );
      void reply.redirect(outcome.location, 303);
      return;
    }
    void reply
      .status(outcome.status)
      .type('text/html; charset=utf-8')
      .header('Content-Security-Policy', pagesCsp(outcome.redirectUri))
      .send(outcome.html);
  }
}

/** The raw query string of a GET: what the hosted forms carry on, unparsed and unchanged. */
function queryOf(request: FastifyRequest): string {
  const start = request.url.indexOf('?');
  return start === -1 ? '' : request.url.slice(start + 1);
}

/** A POSTed authorization request as the query string the other steps carry. */
function formQuery(body: FormBody): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(body ?? {})) {
    if (typeof value === 'string') params.append(name, value);
    else if (Array.isArray(value))
      for (const item of value)
        if (typeof item === 'string') params.append(name, item);
  }
  return params.toString();
}
