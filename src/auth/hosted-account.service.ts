import { HttpException, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { validationPipe } from '../common/validation.js';
import type { Settings } from '../config/settings.js';
import { PASSWORD_SIGN_IN } from '../sessions/authentication.js';
import { requiresVerifiedEmail } from '../users/account-status.js';
import { AccountService } from '../users/account.service.js';
import { EmailAddressDto } from '../users/dto/account-mail.dto.js';
import type { User } from '../users/user.entity.js';
import {
  AuthorizationEndpoint,
  type AuthorizationOutcome,
  type BrowserState,
} from './authorization-endpoint.service.js';
import { SignupDto } from './dto/signup.dto.js';
import {
  checkYourMailPage,
  errorPage,
  forgotPasswordPage,
  signUpPage,
} from './hosted-pages/pages.js';

/**
 * The hosted pages beside sign-in: create an account, and ask for a password reset link. Both
 * carry the authorization request on. A signup that may sign in at once (EMAIL_VERIFICATION
 * optional or off) starts the browser session and resumes the request; one that must prove its
 * address first, and a reset, mail a link whose account page goes on to the request
 * (`continue`) once it is used, where the user signs in (with `login_hint` set to the address).
 * The rules are the JSON routes' own (`SignupDto`, the password policy, the link budgets).
 */
@Injectable()
export class HostedAccountPages {
  private readonly requireVerifiedEmail: boolean;
  private readonly passwordReset: boolean;
  private readonly publicUrl: string;

  constructor(
    private readonly endpoint: AuthorizationEndpoint,
    private readonly account: AccountService,
    config: ConfigService<Settings, true>,
  ) {
    this.requireVerifiedEmail = requiresVerifiedEmail(config);
    this.passwordReset = config.get('users.PASSWORD_RESET', { infer: true });
    this.publicUrl = config.get('app.PUBLIC_URL', { infer: true });
  }

  /** GET /oauth/sign-up. */
  async signUpForm(
    query: string,
    browser: BrowserState,
  ): Promise<AuthorizationOutcome> {
    return this.endpoint.withRequest(query, ({ request, params }) => {
      return this.endpoint.page(
        200,
        signUpPage(this.endpoint.form(browser, params), request.client.name),
        request,
      );
    });
  }

  /** POST /oauth/sign-up: the account, then on to the request or to the mailed link. */
  async signUp(
    query: string,
    email: string | undefined,
    password: string | undefined,
    browser: BrowserState,
  ): Promise<AuthorizationOutcome> {
    return this.endpoint.withRequest(query, async ({ request, params }) => {
      const form = this.endpoint.form(browser, params);
      let user: User;
      try {
        const dto = (await validationPipe.transform(
          { email: email ?? '', password: password ?? '' },
          { type: 'body', metatype: SignupDto },
        )) as SignupDto;
        user = await this.account.signUp(dto, {
          resume: this.requireVerifiedEmail
            ? this.resumeAt(params, dto.email)
            : undefined,
        });
      } catch (error) {
        if (!(error instanceof HttpException) || error.getStatus() >= 500)
          throw error;
        return this.endpoint.page(
          error.getStatus(),
          signUpPage(form, request.client.name, {
            email,
            error: error.message,
          }),
          request,
        );
      }
      if (this.requireVerifiedEmail)
        return this.endpoint.page(
          200,
          checkYourMailPage(
            form,
            request.client.name,
            `We mailed a link to ${user.email}. Open it to confirm your address.`,
          ),
          request,
        );
      return this.endpoint.startBrowserSession(
        user,
        PASSWORD_SIGN_IN,
        params,
        browser,
      );
    });
  }

  /** GET /oauth/forgot-password. */
  async forgotPasswordForm(
    query: string,
    browser: BrowserState,
  ): Promise<AuthorizationOutcome> {
    return this.endpoint.withRequest(query, ({ request, params }) => {
      if (!this.passwordReset) return this.resetSwitchedOff();
      return this.endpoint.page(
        200,
        forgotPasswordPage(
          this.endpoint.form(browser, params),
          request.client.name,
        ),
        request,
      );
    });
  }

  /**
   * POST /oauth/forgot-password: the same answer whether the address has an account or not
   * (`AccountService.forgotPassword` mails after answering).
   */
  async forgotPassword(
    query: string,
    email: string | undefined,
    browser: BrowserState,
  ): Promise<AuthorizationOutcome> {
    return this.endpoint.withRequest(query, async ({ request, params }) => {
      if (!this.passwordReset) return this.resetSwitchedOff();
      const form = this.endpoint.form(browser, params);
      let address: string;
      try {
        ({ email: address } = (await validationPipe.transform(
          { email: email ?? '' },
          { type: 'body', metatype: EmailAddressDto },
        )) as EmailAddressDto);
      } catch (error) {
        if (!(error instanceof HttpException)) throw error;
        return this.endpoint.page(
          400,
          forgotPasswordPage(form, request.client.name, error.message),
          request,
        );
      }
      this.account.forgotPassword(address, this.resumeAt(params, address));
      return this.endpoint.page(
        200,
        checkYourMailPage(
          form,
          request.client.name,
          `If an account uses ${address}, we mailed it a link to choose a new password.`,
        ),
        request,
      );
    });
  }

  /** Where a mailed link's page goes on to: this request, signing in as `email`. */
  private resumeAt(params: URLSearchParams, email: string): string {
    const resumed = new URLSearchParams(params);
    resumed.set('login_hint', email);
    return `${this.publicUrl}/oauth/authorize?${resumed.toString()}`;
  }

  private resetSwitchedOff(): AuthorizationOutcome {
    return {
      kind: 'page',
      status: 404,
      html: errorPage(
        'Password reset is switched off',
        'This server does not reset passwords by mail. Ask its administrator.',
      ),
    };
  }
}
