import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import {
  atMost,
  DAY,
  defineSettings,
  DURATION,
  toBoolean,
  toDuration,
  toInteger,
} from '../config/setting-helpers.js';

/** An http(s) URL with a path, query or fragment that a token can be appended to. */
const LINK_BASE =
  /^https?:\/\/(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:\/|[/?#][!-~]*[=/])$/;
const LINK_BASE_MESSAGE =
  '$property must be an http(s) URL ending in = or / that the token is appended to, such as https://app.example.com/reset?token=';

/** Mail: the relay, the outbox's retries, and where the links in account mails lead and for how long. docs/configuration.md lists each variable. */
export class MailSettings {
  /**
   * The SMTP relay that mail goes out through (`smtp://user:pass@host:587` upgrades with
   * STARTTLS; `smtps://host:465` is TLS from the start). Unset: mail is written as .eml files to
   * MAIL_OUTBOX_DIR instead (development).
   */
  @IsOptional()
  @Matches(/^smtps?:\/\/[^\s/?#]+(:\d+)?\/?$/, {
    message:
      '$property must be smtp://[user:password@]host[:port] or smtps://…, such as smtp://mail.example.com:587',
  })
  SMTP_URL?: string;

  /**
   * `smtp://` must switch to TLS (STARTTLS) before anything is sent. `false` allows plain SMTP,
   * and only to a relay on this machine (localhost, 127.0.0.1, ::1).
   */
  @Transform(toBoolean)
  @IsBoolean()
  SMTP_REQUIRE_TLS = true;

  @IsString()
  @IsNotEmpty()
  MAIL_FROM = 'Warden <no-reply@localhost>';

  /** Where mail goes without SMTP_URL: one .eml file per message. */
  @IsString()
  @IsNotEmpty()
  MAIL_OUTBOX_DIR = 'data/outbox';

  /** Delivery attempts per message before it is marked failed (and logged). */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(50)
  OUTBOX_MAX_ATTEMPTS = 8;

  /** The first retry's delay; each further retry waits twice as long (at most an hour). */
  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(1)
  @atMost(3600, 'retries would wait longer than an hour')
  OUTBOX_RETRY_DELAY = 5;

  /**
   * How long the relay has to accept the connection and greet; an attempt that gets no answer
   * for three times as long in the middle of a delivery fails too, and is retried.
   */
  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(1)
  @Max(120)
  SMTP_TIMEOUT = 10;

  /**
   * Where the links in account mails lead: `<ACCOUNT_URL>/verify-email?token=…`,
   * `/reset-password?token=…`, `/confirm-email?token=…`; a front end's pages, which POST the
   * token to the API. Unset: `<PUBLIC_URL>/account`, the minimal pages Warden serves itself.
   * Never taken from a request's Host header, which an attacker chooses.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^/\s?#]+(\/[^\s?#]*[^/\s?#])?$/, {
    message:
      '$property must be an http(s) URL without a trailing slash, query or fragment, such as https://app.example.com/account',
  })
  ACCOUNT_URL?: string;

  /**
   * A link of one kind that leads elsewhere than under ACCOUNT_URL: the URL its token is appended
   * to, ending in `=` or `/` (`https://app.example.com/reset?token=`, `https://app.example.com/#/verify/`).
   */
  @IsOptional()
  @Matches(LINK_BASE, { message: LINK_BASE_MESSAGE })
  EMAIL_VERIFICATION_URL?: string;

  @IsOptional()
  @Matches(LINK_BASE, { message: LINK_BASE_MESSAGE })
  PASSWORD_RESET_URL?: string;

  @IsOptional()
  @Matches(LINK_BASE, { message: LINK_BASE_MESSAGE })
  EMAIL_CHANGE_URL?: string;

  @IsOptional()
  @Matches(LINK_BASE, { message: LINK_BASE_MESSAGE })
  SIGN_IN_METHOD_REMOVAL_URL?: string;

  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(60)
  @atMost(
    7 * DAY,
    'an unused verification link should not stay valid for weeks',
  )
  EMAIL_VERIFICATION_TTL = DAY;

  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(60)
  @atMost(DAY, 'a reset link is a password for as long as it lives')
  PASSWORD_RESET_TTL = 1800;

  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(60)
  @atMost(7 * DAY, 'an unconfirmed email change should not stay open for weeks')
  EMAIL_CHANGE_TTL = DAY;

  /**
   * How long the "this was not me" link of a sign-in-method notice works: long enough for an
   * owner back from a week away; it can only remove and sign out, never sign in.
   */
  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(60)
  @atMost(30 * DAY, 'a removal link should not stay valid for months')
  SIGN_IN_METHOD_REMOVAL_TTL = 7 * DAY;
}

export const mailSettings = defineSettings('mail', MailSettings);
