import {
  Controller,
  Get,
  Header,
  NotFoundException,
  Param,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../access/auth.decorator.js';
import { ACCOUNT_PAGES_SCRIPT } from './account-pages.script.js';
import {
  PASSKEYS_PAGE,
  PASSKEYS_SCRIPT,
  WEBAUTHN_BROWSER_BUNDLE,
} from './passkeys-page.js';

/** What each page asks of the person who opened a mailed link. */
const PAGES = {
  'verify-email': {
    title: 'Confirm your email address',
    form: '<label>The password of the account <input name="password" type="password" autocomplete="current-password" maxlength="128" required></label> <button type="submit">Confirm my address</button><p>Did you not create this account? Then someone else did, with your address: do not confirm it. <a href="forgot-password">Reset its password instead</a>; that removes everything they added.</p>',
  },
  'confirm-email': {
    title: 'Confirm your new email address',
    form: '<button type="submit">Confirm the change</button>',
  },
  'reset-password': {
    title: 'Choose a new password',
    form: '<label>New password <input name="newPassword" type="password" autocomplete="new-password" minlength="8" maxlength="128" required></label> <button type="submit">Set the password</button>',
  },
  'forgot-password': {
    title: 'Reset your password',
    form: '<label>Email address <input name="email" type="email" autocomplete="email" maxlength="254" required></label> <button type="submit">Mail me a reset link</button>',
  },
  'remove-sign-in-method': {
    title: 'This was not me',
    form: '<p>This removes what the mail was about and signs out every session of your account. Then reset your password.</p><button type="submit">Remove it and sign out everywhere</button>',
  },
} as const;

const page = (title: string, form: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><script src="/account/account.js" defer></script></head><body><main><h1>${title}</h1><form id="account-form">${form}</form><p id="result" role="status"></p></main></body></html>`;

/**
 * The pages that account mails link to when `ACCOUNT_URL` does not name a front end's: each
 * reads the link's token and, on a click (a mail scanner that fetches the link spends nothing),
 * posts it to the API. Same origin; served with a CSP that allows only this script.
 */
@ApiExcludeController()
@Public()
@Controller('account')
export class AccountPagesController {
  @Get('account.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return ACCOUNT_PAGES_SCRIPT;
  }

  @Get('simplewebauthn-browser.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  webAuthnBrowser(): string {
    return WEBAUTHN_BROWSER_BUNDLE;
  }

  @Get('passkeys.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  passkeysScript(): string {
    return PASSKEYS_SCRIPT;
  }

  /** Try passkeys by hand: add one after a password sign-in, then sign in with it. */
  @Get('passkeys')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  passkeys(): string {
    return PASSKEYS_PAGE;
  }

  @Get(':page')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(@Param('page') name: string): string {
    if (!Object.hasOwn(PAGES, name)) throw new NotFoundException();
    const { title, form } = PAGES[name as keyof typeof PAGES];
    return page(title, form);
  }
}
