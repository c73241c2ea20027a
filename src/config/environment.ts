import { Transform, plainToInstance } from 'class-transformer';
import { accessSync, constants, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { defaultMaxConnections } from '../common/connection-limits.js';
import { parseDuration } from './duration.js';
import { ensureWritableFolder, FolderProblem } from '../common/folders.js';
import { dirname } from 'node:path';
import { isValidTrustProxy } from './trust-proxy.js';
import {
  loadOrCreateDevelopmentSecret,
  productionSecretReason,
  weakSecretReason,
} from './secrets.js';

const NODE_ENVS = ['development', 'production', 'test'] as const;
const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const;
/**
 * EdDSA is missing on purpose: jsonwebtoken 9, which passport-jwt and @nestjs/jwt verify and sign
 * with, does not implement it.
 */
export const JWT_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export const EMAIL_VERIFICATION_MODES = [
  'off',
  'optional',
  'required',
] as const;
export type EmailVerificationMode = (typeof EMAIL_VERIFICATION_MODES)[number];

const DEVELOPMENT_SECRET_FILE = 'data/jwt-secret';
const DEVELOPMENT_MFA_KEY_FILE = 'data/mfa-key';
/** AES-256-GCM: the key is 32 bytes, given as base64 (44 characters) or hex (64). */
const MFA_KEY_PATTERN =
  /^(?:[A-Za-z0-9+/]{43}=|[A-Za-z0-9_-]{43}|[0-9a-fA-F]{64})$/;
const MFA_KEY_MESSAGE =
  '$property must be 32 random bytes as base64 or hex (generate one with: openssl rand -base64 32)';
const DEVELOPMENT_AUTH_RATE_LIMIT = 100;
/** An http(s) URL with a path, query or fragment that a token can be appended to. */
const LINK_BASE =
  /^https?:\/\/(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:\/|[/?#][!-~]*[=/])$/;
const LINK_BASE_MESSAGE =
  '$property must be an http(s) URL ending in = or / that the token is appended to, such as https://app.example.com/reset?token=';

const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim())
    ? Number(value)
    : value;
const toDuration = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? parseDuration(value) : value;
const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const normalised = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(normalised)) return true;
  if (['false', '0', 'no'].includes(normalised)) return false;
  return value;
};
const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : value;

const DURATION = {
  message: '$property must be a duration such as 900, 15m or 14d',
};
const DAY = 86400;
/** A lifetime cap, with the reason in the message (docs/configuration.md). */
const atMost = (seconds: number, why: string) =>
  Max(seconds, {
    message: `$property must be at most ${seconds / DAY}d (${seconds} seconds): ${why}`,
  });

/**
 * Every setting Warden reads, with its default. Values arrive as strings from the environment
 * (or `.env`) and leave typed; docs/configuration.md lists them.
 */
export class Environment {
  @IsIn(NODE_ENVS)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @IsNotEmpty()
  HOST = '0.0.0.0';

  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message:
      '$property must be sqlite:<file>, sqlite::memory: or postgres://user@host:port/database',
  })
  DATABASE_URL = 'sqlite:data/warden.sqlite';

  // How long start-up waits for a database that cannot be reached yet (one line per attempt).
  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(0)
  @Max(600)
  DATABASE_CONNECT_TIMEOUT = 10;

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, {
    message: '$property must be a redis:// or rediss:// URL',
  })
  REDIS_URL?: string;

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
   * `optional`: signup mails a verification link, and unverified accounts sign in as usual.
   * `required`: they cannot obtain tokens until the link is used. `off`: no verification mail.
   */
  @IsIn(EMAIL_VERIFICATION_MODES)
  EMAIL_VERIFICATION: EmailVerificationMode = 'optional';

  /** `false` switches off password reset by mail (`/auth/password/forgot` answers 404). */
  @Transform(toBoolean)
  @IsBoolean()
  PASSWORD_RESET = true;

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

  /** The name account mails sign with. */
  @IsString()
  @Matches(/^[^\r\n]{1,64}$/, {
    message: '$property must be one line of at most 64 characters',
  })
  PRODUCT_NAME = 'Warden';

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

  /**
   * The WebAuthn relying party id of passkeys: the site's domain (`example.com` serves
   * `app.example.com` too). Unset: PUBLIC_URL's host name, else `localhost`. Passkeys are bound
   * to it: changing it orphans every registered passkey.
   */
  @IsOptional()
  @Matches(
    /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
    {
      message: '$property must be a lower-case domain name such as example.com',
    },
  )
  WEBAUTHN_RP_ID?: string;

  /**
   * The origins that may run passkey ceremonies (comma-separated: `https://app.example.com`).
   * Unset: PUBLIC_URL, else `http://localhost:<PORT>`.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^/\s?#,]+(,https?:\/\/[^/\s?#,]+)*$/, {
    message:
      '$property must be comma-separated origins without paths, such as https://app.example.com,https://example.com',
  })
  WEBAUTHN_ORIGINS?: string;

  /** Namespaces this deployment's keys and channel in a Redis that others share. */
  @IsString()
  @Matches(/^[A-Za-z0-9:_.-]{1,64}$/, {
    message:
      '$property must be 1-64 characters of letters, digits, ":", "_", "." and "-"',
  })
  REDIS_KEY_PREFIX = 'warden:';

  @IsOptional()
  @IsString()
  JWT_SECRET?: string;

  /** `false` withdraws TOTP: no enrolment, and logins no longer ask enrolled users for a code. */
  @Transform(toBoolean)
  @IsBoolean()
  MFA_TOTP = true;

  /**
   * Encrypts TOTP secrets at rest (AES-256-GCM). Required in production while MFA_TOTP is on;
   * in development a random key is kept in data/mfa-key (git-ignored). To change it, move the
   * old one to MFA_PREVIOUS_ENCRYPTION_KEY; changed without that, every enrolled authenticator
   * stops working (users then sign in with a recovery code).
   */
  @IsOptional()
  @Matches(MFA_KEY_PATTERN, { message: MFA_KEY_MESSAGE })
  MFA_ENCRYPTION_KEY?: string;

  /**
   * The key being rotated out: secrets sealed with it still open, and are re-sealed with
   * MFA_ENCRYPTION_KEY after start-up (the log says when none is left and it can go).
   */
  @IsOptional()
  @Matches(MFA_KEY_PATTERN, { message: MFA_KEY_MESSAGE })
  MFA_PREVIOUS_ENCRYPTION_KEY?: string;

  @IsIn(JWT_ALGORITHMS, {
    message: `$property must be one of ${JWT_ALGORITHMS.join(', ')} (EdDSA is not supported by jsonwebtoken 9)`,
  })
  JWT_ALGORITHM: JwtAlgorithm = 'HS256';

  /** PEM private key for RS256 / ES256. */
  @IsOptional()
  @IsString()
  JWT_PRIVATE_KEY_FILE?: string;

  /** PEM public key of the previous signing key, still accepted during a rotation. */
  @IsOptional()
  @IsString()
  JWT_PREVIOUS_PUBLIC_KEY_FILE?: string;

  /**
   * The `iss` of every token, and the `issuer` of the discovery document: one issuer. Default:
   * PUBLIC_URL; production refuses any other value.
   */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  JWT_ISSUER?: string;

  /**
   * Other `iss` values still accepted on tokens (comma-separated): during a rolling upgrade that
   * changes the issuer, the one the older instances sign with (`warden` before this release).
   */
  @Transform(toList)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  JWT_ACCEPTED_ISSUERS: string[] = [];

  /**
   * Where clients reach this server: an origin, `https://auth.example.com`. Every absolute URL
   * Warden hands out (the issuer, the discovery document's endpoints, the links in mails, the
   * passkeys' relying party) is built from it, never from a request's Host or X-Forwarded-*
   * headers. Required in production (https, unless a loopback address); default
   * `http://localhost:<PORT>`.
   */
  @IsOptional()
  @Matches(/^https?:\/\/(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/, {
    message:
      '$property must be an origin: http(s)://host[:port], without a path, query, fragment or trailing slash, such as https://auth.example.com',
  })
  PUBLIC_URL?: string;

  @IsString()
  @IsNotEmpty()
  JWT_AUDIENCE = 'warden-api';

  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(1)
  @atMost(
    DAY,
    'a stolen access token works until it expires, and a long lifetime makes it a password',
  )
  ACCESS_TOKEN_TTL = 900;

  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(1)
  @atMost(90 * DAY, 'an idle session should not outlive a season')
  REFRESH_TOKEN_TTL = 14 * DAY;

  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(1)
  @atMost(365 * DAY, 'every session must end and sign in again within a year')
  SESSION_ABSOLUTE_TTL = 30 * DAY;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  AUTH_RATE_LIMIT = 10;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  LOGIN_FAILURE_LIMIT = 5;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  RATE_LIMIT = 300;

  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(1)
  @atMost(DAY, 'a longer lock lets anyone shut an account out for days')
  LOGIN_FAILURE_WINDOW = 15 * 60;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  MAX_TODOS_PER_USER = 1000;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  MAX_POSTS_PER_USER = 1000;

  // The argon2 library's own lower bounds; below OWASP's minimum is allowed for tests only and
  // logged as a warning.
  @Transform(toInteger)
  @IsInt()
  @Min(1024)
  @Max(4 * 1024 * 1024)
  ARGON2_MEMORY_KIB = 19456;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(20)
  ARGON2_TIME_COST = 2;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(16)
  ARGON2_PARALLELISM = 1;

  // Hashes in flight at once (each holds ARGON2_MEMORY_KIB and a core); more wait in line.
  // One core is left to the event loop, so logins never starve the other routes.
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(64)
  PASSWORD_HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1);

  // Headers and body must have arrived within this time (slow-body and slow-header clients).
  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(1)
  @Max(600)
  REQUEST_TIMEOUT = 30;

  // Open connections at once; more are closed on arrival. Default: open-files limit - 128.
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MAX_CONNECTIONS = defaultMaxConnections();

  @Transform(toList)
  @IsString({ each: true })
  @Matches(/^https?:\/\/[^/\s]+$/, {
    each: true,
    message:
      '$property must be a comma-separated list of origins such as https://app.example.com',
  })
  CORS_ORIGINS: string[] = [];

  @IsOptional()
  @IsString()
  @ValidateBy({
    name: 'trustProxy',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && isValidTrustProxy(value),
      defaultMessage: () =>
        "TRUST_PROXY must be a number of hops or a comma-separated list of proxy addresses or subnets (true is refused: it would believe any client's X-Forwarded-For)",
    },
  })
  TRUST_PROXY?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  SWAGGER_ENABLED?: boolean;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
}

/**
 * The validated configuration; `PUBLIC_URL`, `JWT_ISSUER`, `JWT_SECRET`, `SWAGGER_ENABLED`, the
 * WebAuthn relying party and (while MFA_TOTP is on) `MFA_ENCRYPTION_KEY` are always resolved.
 */
export type Config = Omit<
  Environment,
  | 'JWT_SECRET'
  | 'SWAGGER_ENABLED'
  | 'MFA_ENCRYPTION_KEY'
  | 'WEBAUTHN_RP_ID'
  | 'WEBAUTHN_ORIGINS'
  | 'PUBLIC_URL'
  | 'JWT_ISSUER'
> & {
  PUBLIC_URL: string;
  JWT_ISSUER: string;
  JWT_SECRET: string;
  SWAGGER_ENABLED: boolean;
  MFA_ENCRYPTION_KEY: string;
  WEBAUTHN_RP_ID: string;
  WEBAUTHN_ORIGINS: string;
};

/** Every problem of a start's settings, one line each (one line in all when there is one). */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0]}`
        : `Invalid configuration (${problems.length} problems):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigurationError';
  }
}

/**
 * One message per variable: the constraint written first on the property (class-validator
 * runs them bottom-up, so it is the last to report), which says what the value must be; those
 * below it refine a value of the right kind (`PORT=3000x` is "must be an integer number", not also
 * "must not be greater than 65535").
 */
export function oneProblemPerVariable(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => {
    const messages = Object.values(error.constraints ?? {});
    return messages.length > 0 ? [messages[messages.length - 1]] : [];
  });
}

/**
 * The `validate` hook of `ConfigModule.forRoot`: turns raw strings into a typed `Config`, or
 * throws one error that names every offending variable (values are not echoed: some are secrets).
 */
export function validateEnvironment(raw: Record<string, unknown>): Config {
  const known = Object.keys(new Environment());
  const provided: Record<string, unknown> = {};
  for (const key of [
    ...known,
    'JWT_SECRET',
    'JWT_ISSUER',
    'REDIS_URL',
    'TRUST_PROXY',
    'SWAGGER_ENABLED',
    'PUBLIC_URL',
    'SMTP_URL',
    'ACCOUNT_URL',
    'EMAIL_VERIFICATION_URL',
    'PASSWORD_RESET_URL',
    'EMAIL_CHANGE_URL',
    'SIGN_IN_METHOD_REMOVAL_URL',
    'MFA_ENCRYPTION_KEY',
    'MFA_PREVIOUS_ENCRYPTION_KEY',
    'WEBAUTHN_RP_ID',
    'WEBAUTHN_ORIGINS',
  ]) {
    // An empty variable (`REDIS_URL=`) means "not set", as in most twelve-factor tools.
    if (raw[key] !== undefined && raw[key] !== '') provided[key] = raw[key];
  }
  const env = plainToInstance(Environment, provided);
  // Exploring the API by hand spends ten auth requests a minute in no time; development gets a
  // generous budget unless one is set. Production keeps the strict default.
  if (provided.AUTH_RATE_LIMIT === undefined && env.NODE_ENV === 'development')
    env.AUTH_RATE_LIMIT = DEVELOPMENT_AUTH_RATE_LIMIT;
  const errors = validateSync(env, { forbidUnknownValues: false });
  // Every problem is reported at once; a check that reads a variable refused above is skipped,
  // so that one bad value is one line.
  const problems = oneProblemPerVariable(errors);
  const invalid = new Set(errors.map((error) => error.property));
  const valid = (...names: (keyof Environment)[]) =>
    names.every((name) => !invalid.has(name));

  const keyProblems = !valid(
    'JWT_ALGORITHM',
    'JWT_PRIVATE_KEY_FILE',
    'JWT_PREVIOUS_PUBLIC_KEY_FILE',
  )
    ? []
    : [
        ...(env.JWT_ALGORITHM !== 'HS256' && !env.JWT_PRIVATE_KEY_FILE
          ? [
              `JWT_PRIVATE_KEY_FILE is required when JWT_ALGORITHM=${env.JWT_ALGORITHM}`,
            ]
          : []),
        ...(['JWT_PRIVATE_KEY_FILE', 'JWT_PREVIOUS_PUBLIC_KEY_FILE'] as const)
          .filter(
            (name) => env[name] !== undefined && !isReadableFile(env[name]),
          )
          .map(
            (name) =>
              `${name} must name a readable PEM file (${env[name]} is not one)`,
          ),
      ];
  problems.push(...keyProblems);
  const smtpHost =
    env.SMTP_URL && valid('SMTP_URL')
      ? new URL(env.SMTP_URL).hostname
      : undefined;
  if (
    !env.SMTP_REQUIRE_TLS &&
    smtpHost !== undefined &&
    !['localhost', '127.0.0.1', '[::1]'].includes(smtpHost)
  ) {
    problems.push(
      `SMTP_REQUIRE_TLS=false is allowed only for a relay on this machine; SMTP_URL names ${smtpHost}`,
    );
  }

  // The settings resolved from others, each only when what it reads is valid.
  const resolved = <T>(
    inputs: (keyof Environment)[],
    resolve: () => T,
    fallback: T,
  ): T => {
    if (!valid(...inputs)) return fallback;
    try {
      return resolve();
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      problems.push(...error.problems);
      return fallback;
    }
  };
  const urls = resolved(
    ['NODE_ENV', 'PORT', 'PUBLIC_URL', 'JWT_ISSUER'],
    () => resolvePublicUrl(env),
    { PUBLIC_URL: 'http://localhost', JWT_ISSUER: '' },
  );
  const secretsFolder = valid('NODE_ENV', 'JWT_ALGORITHM', 'MFA_TOTP')
    ? developmentSecretsFolderProblem(env, {
        jwtSecret: env.JWT_ALGORITHM === 'HS256',
        mfaKey: env.MFA_TOTP,
      })
    : null;
  if (secretsFolder) problems.push(secretsFolder);
  // Asymmetric modes sign with the key file; the HS256 secret is then unused.
  const jwtSecret =
    env.JWT_ALGORITHM === 'HS256' && !secretsFolder
      ? resolved(['NODE_ENV'], () => resolveJwtSecret(env), '')
      : '';
  const mfaKey =
    env.MFA_TOTP && !secretsFolder
      ? resolved(['NODE_ENV'], () => resolveMfaKey(env), '')
      : '';
  const webAuthn = resolved(
    ['PUBLIC_URL', 'WEBAUTHN_RP_ID', 'WEBAUTHN_ORIGINS'],
    () => resolveWebAuthn(env, urls.PUBLIC_URL),
    { WEBAUTHN_RP_ID: '', WEBAUTHN_ORIGINS: '' },
  );
  if (valid('NODE_ENV', 'SMTP_URL'))
    problems.push(...productionMailProblems(env));
  if (problems.length > 0) throw new ConfigurationError(problems);

  return {
    ...env,
    ...urls,
    ...webAuthn,
    JWT_SECRET: jwtSecret,
    MFA_ENCRYPTION_KEY: mfaKey,
    SWAGGER_ENABLED: env.SWAGGER_ENABLED ?? env.NODE_ENV !== 'production',
  };
}

/**
 * Production mails links that must reach real people: without a relay they would pile up in
 * files nobody reads. (Where they lead is always known: PUBLIC_URL is required.)
 */
function productionMailProblems(env: Environment): string[] {
  const mails = env.EMAIL_VERIFICATION !== 'off' || env.PASSWORD_RESET;
  if (env.NODE_ENV !== 'production' || !mails || env.SMTP_URL) return [];
  return [
    'SMTP_URL is required when NODE_ENV=production and EMAIL_VERIFICATION or PASSWORD_RESET is on (or set EMAIL_VERIFICATION=off and PASSWORD_RESET=false)',
  ];
}

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * PUBLIC_URL (required in production: https unless a loopback address; else
 * `http://localhost:<PORT>`) and the one issuer, JWT_ISSUER, which defaults to it and in
 * production must equal it.
 */
function resolvePublicUrl(
  env: Environment,
): Pick<Config, 'PUBLIC_URL' | 'JWT_ISSUER'> {
  const production = env.NODE_ENV === 'production';
  const publicUrl = env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;
  const problems: string[] = [];
  if (production && env.PUBLIC_URL === undefined)
    problems.push(
      'PUBLIC_URL is required when NODE_ENV=production: the origin clients reach Warden at, such as https://auth.example.com (no URL is ever taken from a request header)',
    );
  else if (
    production &&
    publicUrl.startsWith('http:') &&
    !LOOPBACK_HOST.test(new URL(publicUrl).hostname)
  )
    problems.push(
      `PUBLIC_URL must be https when NODE_ENV=production (plain http only for a loopback address); ${publicUrl} is not`,
    );
  const issuer = env.JWT_ISSUER ?? publicUrl;
  if (production && env.PUBLIC_URL !== undefined && issuer !== publicUrl)
    problems.push(
      'JWT_ISSUER must equal PUBLIC_URL when NODE_ENV=production (tokens and the discovery document name one issuer): unset it, and list the old value in JWT_ACCEPTED_ISSUERS while tokens that carry it are in use',
    );
  if (problems.length > 0) throw new ConfigurationError(problems);
  return { PUBLIC_URL: publicUrl, JWT_ISSUER: issuer };
}

/**
 * The passkeys' relying party: `WEBAUTHN_RP_ID` (else PUBLIC_URL's host) and the origins allowed
 * to run ceremonies (else PUBLIC_URL).
 * Browsers refuse a ceremony whose origin is not on the RP ID's domain, so such a pair is refused
 * here, at start-up, instead of failing every passkey later.
 */
function resolveWebAuthn(
  env: Environment,
  publicUrl: string,
): Pick<Config, 'WEBAUTHN_RP_ID' | 'WEBAUTHN_ORIGINS'> {
  const rpId = env.WEBAUTHN_RP_ID ?? new URL(publicUrl).hostname;
  const origins = env.WEBAUTHN_ORIGINS ?? publicUrl;
  const elsewhere = origins.split(',').filter((origin) => {
    const host = new URL(origin).hostname;
    return host !== rpId && !host.endsWith(`.${rpId}`);
  });
  if (elsewhere.length > 0) {
    throw new ConfigurationError([
      `WEBAUTHN_ORIGINS must be on the domain of WEBAUTHN_RP_ID (${rpId}); ${elsewhere.join(', ')} is not (set WEBAUTHN_RP_ID, or WEBAUTHN_ORIGINS)`,
    ]);
  }
  return { WEBAUTHN_RP_ID: rpId, WEBAUTHN_ORIGINS: origins };
}

function resolveMfaKey(env: Environment): string {
  if (
    env.MFA_PREVIOUS_ENCRYPTION_KEY !== undefined &&
    env.MFA_ENCRYPTION_KEY === undefined
  ) {
    throw new ConfigurationError([
      'MFA_PREVIOUS_ENCRYPTION_KEY needs MFA_ENCRYPTION_KEY: the new key that secrets sealed with the previous one move to',
    ]);
  }
  if (env.NODE_ENV === 'production') {
    const problems = (
      ['MFA_ENCRYPTION_KEY', 'MFA_PREVIOUS_ENCRYPTION_KEY'] as const
    ).flatMap((name) => {
      const key = env[name];
      const reason = key === undefined ? null : productionSecretReason(key);
      return reason
        ? [`${name} ${reason.replace('-base64 48', '-base64 32')}`]
        : [];
    });
    if (problems.length > 0) throw new ConfigurationError(problems);
  }
  if (env.MFA_ENCRYPTION_KEY !== undefined) return env.MFA_ENCRYPTION_KEY;
  if (env.NODE_ENV === 'production') {
    throw new ConfigurationError([
      'MFA_ENCRYPTION_KEY is required when NODE_ENV=production and MFA_TOTP is on (32 random bytes; generate them with: openssl rand -base64 32), or set MFA_TOTP=false',
    ]);
  }
  return developmentSecret('MFA_ENCRYPTION_KEY', DEVELOPMENT_MFA_KEY_FILE, 32);
}

/**
 * A development secret kept in `file` (made on first start), or a configuration problem naming
 * the variable that would make the file unnecessary. Its folder was checked first
 * (`developmentSecretsFolderProblem`).
 */
function developmentSecret(
  variable: string,
  file: string,
  bytes: number,
): string {
  try {
    return loadOrCreateDevelopmentSecret(file, bytes);
  } catch (error) {
    throw new ConfigurationError([
      `${variable} is not set, and development keeps a generated one in ${file}, which cannot be read or written (${(error as NodeJS.ErrnoException).code ?? String(error)}): set ${variable}, or fix the file`,
    ]);
  }
}

/**
 * Development keeps the secrets it generates in data/; when that folder cannot be made or
 * written, one line says so and names every variable that would make it unnecessary.
 */
function developmentSecretsFolderProblem(
  env: Environment,
  needs: { jwtSecret: boolean; mfaKey: boolean },
): string | null {
  if (env.NODE_ENV === 'production') return null;
  const variables = [
    ...(needs.jwtSecret && env.JWT_SECRET === undefined ? ['JWT_SECRET'] : []),
    ...(needs.mfaKey && env.MFA_ENCRYPTION_KEY === undefined
      ? ['MFA_ENCRYPTION_KEY']
      : []),
  ];
  if (variables.length === 0) return null;
  const folder = dirname(DEVELOPMENT_SECRET_FILE);
  try {
    ensureWritableFolder(folder);
    return null;
  } catch (error) {
    if (!(error instanceof FolderProblem)) throw error;
    return `${variables.join(' and ')} ${variables.length > 1 ? 'are' : 'is'} not set, and development keeps generated ones in ${folder}/, but ${error.message}: set ${variables.join(' and ')}, or start from a folder where ${folder}/ can be written`;
  }
}

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function resolveJwtSecret(env: Environment): string {
  if (env.JWT_SECRET === undefined) {
    if (env.NODE_ENV === 'production') {
      throw new ConfigurationError([
        'JWT_SECRET is required when NODE_ENV=production (at least 32 random bytes; generate one with: openssl rand -base64 48)',
      ]);
    }
    return developmentSecret('JWT_SECRET', DEVELOPMENT_SECRET_FILE, 48);
  }
  const reason =
    env.NODE_ENV === 'production'
      ? productionSecretReason(env.JWT_SECRET)
      : weakSecretReason(env.JWT_SECRET);
  if (reason) throw new ConfigurationError([`JWT_SECRET ${reason}`]);
  return env.JWT_SECRET;
}
