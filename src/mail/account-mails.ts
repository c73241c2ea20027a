import { Injectable, Logger } from '@nestjs/common';
import { escapeHtml } from '../common/html.js';
import { ConfigService } from '@nestjs/config';
import type { Settings } from '../config/settings.js';
import type { OutgoingMail } from './mail-outbox.service.js';

/** An account link's page under ACCOUNT_URL, and the setting that can send it elsewhere. */
const LINKS = {
  'email-verification': {
    page: 'verify-email',
    setting: 'mail.EMAIL_VERIFICATION_URL',
  },
  'password-reset': {
    page: 'reset-password',
    setting: 'mail.PASSWORD_RESET_URL',
  },
  'email-change': { page: 'confirm-email', setting: 'mail.EMAIL_CHANGE_URL' },
  'sign-in-method-removal': {
    page: 'remove-sign-in-method',
    setting: 'mail.SIGN_IN_METHOD_REMOVAL_URL',
  },
} as const;
export type LinkKind = keyof typeof LINKS;

/** What a notice tells the account's owner happened. */
export type NoticeKind =
  | 'password-changed'
  | 'password-reset'
  | 'email-changed'
  | 'email-change-requested'
  | 'sessions-ended'
  | 'totp-enabled'
  | 'totp-disabled'
  | 'recovery-codes-replaced'
  | 'passkey-added'
  | 'passkey-removed'
  | 'sign-in-method-removed'
  | 'email-address-in-use';

/** What a notice says beyond its kind. */
export interface NoticeDetails {
  /** The new address (email changes), or the passkey's name (passkeys). */
  detail?: string;
  /** Sign-in methods the change removed, as the notice names them. */
  removed?: readonly string[];
  /** A "this was not me" token: the notice carries the link that removes what was added. */
  removalToken?: string;
}

/**
 * The account mails: their words, and their links (`ACCOUNT_URL`, default `<PUBLIC_URL>/account`,
 * or a kind's own `*_URL`; never a request's Host). Plain text with an HTML twin; anything that came from a user (an email
 * address) is escaped in the HTML. Without an SMTP relay outside production, the links are also
 * logged, so development needs no mail set-up.
 */
@Injectable()
export class AccountMails {
  private readonly logger = new Logger('Mail');
  private readonly product: string;
  /** What each kind's token is appended to. */
  private readonly linkBases: Record<LinkKind, string>;
  private readonly logLinks: boolean;
  private readonly ttlSeconds: Record<LinkKind, number>;

  constructor(config: ConfigService<Settings, true>) {
    this.product = config.get('app.PRODUCT_NAME', { infer: true });
    const accountUrl =
      config.get('mail.ACCOUNT_URL', { infer: true }) ??
      `${config.get('app.PUBLIC_URL', { infer: true })}/account`;
    const base = (kind: LinkKind) =>
      config.get(LINKS[kind].setting, { infer: true }) ??
      `${accountUrl}/${LINKS[kind].page}?token=`;
    this.linkBases = {
      'email-verification': base('email-verification'),
      'password-reset': base('password-reset'),
      'email-change': base('email-change'),
      'sign-in-method-removal': base('sign-in-method-removal'),
    };
    this.logLinks =
      !config.get('mail.SMTP_URL', { infer: true }) &&
      config.get('app.NODE_ENV', { infer: true }) !== 'production';
    this.ttlSeconds = {
      'email-verification': config.get('mail.EMAIL_VERIFICATION_TTL', {
        infer: true,
      }),
      'password-reset': config.get('mail.PASSWORD_RESET_TTL', { infer: true }),
      'email-change': config.get('mail.EMAIL_CHANGE_TTL', { infer: true }),
      'sign-in-method-removal': config.get('mail.SIGN_IN_METHOD_REMOVAL_TTL', {
        infer: true,
      }),
    };
  }

  /** How long a token of this kind lives. */
  ttl(kind: LinkKind): number {
    return this.ttlSeconds[kind];
  }

  /**
   * A mail carrying a single-use link with `token`; with `resume` (an authorization request at
   * this server, from the hosted sign-in pages), the link also carries `continue=<resume>`, where
   * the account page goes once the link has done its work.
   */
  link(
    kind: Exclude<LinkKind, 'sign-in-method-removal'>,
    to: string,
    token: string,
    resume?: string,
  ): OutgoingMail {
    const url = this.url(kind, token, resume);
    const lasts = this.lasts(kind);
    const words = {
      'email-verification': {
        subject: `Confirm your email address for ${this.product}`,
        lead: `Open this link to confirm that ${to} is your address:`,
        action: 'Confirm my address',
        otherwise: 'If you did not create an account, ignore this mail.',
      },
      'password-reset': {
        subject: `Reset your ${this.product} password`,
        lead: 'Someone (we hope you) asked to reset the password of your account. Open this link to choose a new one:',
        action: 'Choose a new password',
        otherwise:
          'If you did not ask, ignore this mail: your password stays as it is.',
      },
      'email-change': {
        subject: `Confirm your new email address for ${this.product}`,
        lead: `Open this link to make ${to} the address of your account:`,
        action: 'Confirm the change',
        otherwise:
          'If you did not ask for this, ignore this mail: nothing changes.',
      },
    }[kind];
    return {
      kind,
      to,
      subject: words.subject,
      text: `${words.lead}\n\n${url}\n\n${lasts} ${words.otherwise}\n\n${this.product}\n`,
      html: this.html([
        escapeHtml(words.lead),
        `<a href="${escapeHtml(url)}">${escapeHtml(words.action)}</a>`,
        `${escapeHtml(lasts)} ${escapeHtml(words.otherwise)}`,
      ]),
    };
  }

  /**
   * A security notice to the account's owner. One that announces a new way to sign in carries
   * the single-use link that removes it (`removalToken`).
   */
  notice(
    kind: NoticeKind,
    to: string,
    { detail, removed = [], removalToken }: NoticeDetails = {},
  ): OutgoingMail {
    const unexpected = `If this was not you, reset your password at once and contact support.`;
    const removedList = removed.join(', ');
    const words: Record<NoticeKind, { subject: string; lead: string }> = {
      'password-changed': {
        subject: `Your ${this.product} password was changed`,
        lead: 'The password of your account was changed. Your other sessions were signed out.',
      },
      'password-reset': {
        subject: `Your ${this.product} password was reset`,
        lead:
          'The password of your account was reset with a link sent to this address. Every session was signed out.' +
          (removed.length > 0
            ? ` This reset was the first proof that this address is yours, so everything that could sign in to the account before it was removed: ${removedList}. Add again what was yours.`
            : ''),
      },
      'email-changed': {
        subject: `The email address of your ${this.product} account changed`,
        lead: `Your account's email address is now ${detail ?? 'a new one'}; mail about it no longer comes here.`,
      },
      'email-change-requested': {
        subject: `A change of your ${this.product} email address was requested`,
        lead: `Someone signed in to your account asked to move it to ${detail ?? 'a new address'}. It changes only if that address confirms.`,
      },
      'sessions-ended': {
        subject: `You were signed out of ${this.product}`,
        lead: 'An administrator ended every session of your account. Sign in again to continue.',
      },
      'totp-enabled': {
        subject: `Two-step sign-in is on for your ${this.product} account`,
        lead: 'An authenticator app now protects your account: a sign-in with your password also asks for its code.',
      },
      'totp-disabled': {
        subject: `Two-step sign-in was turned off for your ${this.product} account`,
        lead: 'Your account no longer asks for an authenticator code when you sign in with your password, and its recovery codes no longer work.',
      },
      'recovery-codes-replaced': {
        subject: `New recovery codes for your ${this.product} account`,
        lead: 'The recovery codes of your account were replaced; the old ones no longer work.',
      },
      'passkey-added': {
        subject: `A passkey was added to your ${this.product} account`,
        lead: `A passkey named "${detail ?? 'Passkey'}" can now sign in to your account.`,
      },
      'passkey-removed': {
        subject: `A passkey was removed from your ${this.product} account`,
        lead: `The passkey named "${detail ?? 'Passkey'}" can no longer sign in to your account.`,
      },
      'sign-in-method-removed': {
        subject: `Removed from your ${this.product} account, and signed out everywhere`,
        lead:
          (removed.length > 0
            ? `As asked with the link of our notice, this was removed from your account: ${removedList}.`
            : 'The link of our notice was used; what it would have removed was gone already.') +
          ' Every session of your account was signed out.',
      },
      'email-address-in-use': {
        subject: `Someone tried to use your address for another ${this.product} account`,
        lead: 'Someone signed in to another account asked to move it to this address, which already belongs to your account. Nothing changed and no link was sent.',
      },
    };
    const { subject, lead } = words[kind];
    if (removalToken === undefined)
      return {
        kind: `notice:${kind}`,
        to,
        subject,
        text: `${lead}\n\n${unexpected}\n\n${this.product}\n`,
        html: this.html([escapeHtml(lead), escapeHtml(unexpected)]),
      };
    const url = this.url('sign-in-method-removal', removalToken);
    const undo =
      'If this was not you, open this link: it removes what was added and signs out every session of your account. Then reset your password.';
    const lasts = this.lasts('sign-in-method-removal');
    return {
      kind: `notice:${kind}`,
      to,
      subject,
      text: `${lead}\n\n${undo}\n\n${url}\n\n${lasts}\n\n${this.product}\n`,
      html: this.html([
        escapeHtml(lead),
        escapeHtml(undo),
        `<a href="${escapeHtml(url)}">This was not me: remove it</a>`,
        escapeHtml(lasts),
      ]),
    };
  }

  private url(kind: LinkKind, token: string, resume?: string): string {
    const url = `${this.linkBases[kind]}${encodeURIComponent(token)}${resume ? `&continue=${encodeURIComponent(resume)}` : ''}`;
    if (this.logLinks) this.logger.log(`${kind} link (development): ${url}`);
    return url;
  }

  private lasts(kind: LinkKind): string {
    const hours = Math.round(this.ttlSeconds[kind] / 360) / 10;
    return hours >= 48
      ? `The link works once, for ${Math.round(hours / 24)} days.`
      : `The link works once, for ${hours} hour${hours === 1 ? '' : 's'}.`;
  }

  private html(paragraphs: string[]): string {
    return `<!doctype html><html><body>${paragraphs
      .map((paragraph) => `<p>${paragraph}</p>`)
      .join('')}<p>${escapeHtml(this.product)}</p></body></html>`;
  }
}
