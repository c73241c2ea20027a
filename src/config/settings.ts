import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  accessSync,
  constants,
  existsSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { parseEnv } from 'node:util';
import { type AppSettings, appSettings } from '../app.settings.js';
import { type AuthSettings, authSettings } from '../auth/auth.settings.js';
import { ensureWritableFolder, FolderProblem } from '../common/folders.js';
import {
  type DatabaseSettings,
  databaseSettings,
} from '../database/database.settings.js';
import {
  type LoggingSettings,
  loggingSettings,
} from '../logging/logging.settings.js';
import { type MailSettings, mailSettings } from '../mail/mail.settings.js';
import { type MfaSettings, mfaSettings } from '../mfa/mfa.settings.js';
import {
  type PasskeysSettings,
  passkeysSettings,
} from '../passkeys/passkeys.settings.js';
import { type PostsSettings, postsSettings } from '../posts/posts.settings.js';
import {
  type RateLimitSettings,
  rateLimitSettings,
} from '../rate-limit/rate-limit.settings.js';
import { type RedisSettings, redisSettings } from '../redis/redis.settings.js';
import {
  type SessionsSettings,
  sessionsSettings,
} from '../sessions/sessions.settings.js';
import { type TodosSettings, todosSettings } from '../todos/todos.settings.js';
import { type UsersSettings, usersSettings } from '../users/users.settings.js';
import {
  ConfigurationError,
  oneProblemPerVariable,
} from './configuration-error.js';
import {
  loadOrCreateDevelopmentOidcKeys,
  loadOrCreateDevelopmentSecret,
  productionSecretReason,
  weakSecretReason,
} from './secrets.js';
import { variablesOf } from './setting-helpers.js';

/** Every feature's settings, validated together (one pass, every problem in one message). */
export const FEATURE_SETTINGS = [
  appSettings,
  loggingSettings,
  databaseSettings,
  redisSettings,
  rateLimitSettings,
  authSettings,
  sessionsSettings,
  usersSettings,
  mailSettings,
  mfaSettings,
  passkeysSettings,
  todosSettings,
  postsSettings,
] as const;

/** A setting that is optional in the environment and always has a value once resolved. */
type Resolved<S, K extends keyof S> = Omit<S, K> & {
  [P in K]-?: Exclude<S[P], undefined>;
};

/**
 * The validated settings, by feature namespace, as `ConfigService<Settings, true>` serves them
 * (`config.get('mail.MAIL_FROM', { infer: true })`). `PUBLIC_URL`, `SWAGGER_ENABLED`,
 * `JWT_ISSUER`, `JWT_SECRET`, the WebAuthn relying party and (while MFA_TOTP is on)
 * `MFA_ENCRYPTION_KEY` are always resolved.
 */
export interface Settings {
  app: Resolved<AppSettings, 'PUBLIC_URL' | 'SWAGGER_ENABLED'>;
  logging: LoggingSettings;
  database: DatabaseSettings;
  redis: RedisSettings;
  rateLimit: RateLimitSettings;
  auth: Resolved<
    AuthSettings,
    'JWT_ISSUER' | 'JWT_SECRET' | 'OIDC_SIGNING_KEY_FILE'
  >;
  sessions: SessionsSettings;
  users: UsersSettings;
  mail: MailSettings;
  mfa: Resolved<MfaSettings, 'MFA_ENCRYPTION_KEY'>;
  passkeys: Resolved<PasskeysSettings, 'WEBAUTHN_RP_ID' | 'WEBAUTHN_ORIGINS'>;
  todos: TodosSettings;
  posts: PostsSettings;
}

/** Every variable, flat, as the cross-feature checks below read them (names are unique). */
export type Variables = AppSettings &
  LoggingSettings &
  DatabaseSettings &
  RedisSettings &
  RateLimitSettings &
  AuthSettings &
  SessionsSettings &
  UsersSettings &
  MailSettings &
  MfaSettings &
  PasskeysSettings &
  TodosSettings &
  PostsSettings;

const DEVELOPMENT_SECRET_FILE = 'data/jwt-secret';
const DEVELOPMENT_MFA_KEY_FILE = 'data/mfa-key';
const DEVELOPMENT_OIDC_KEY_FILE = 'data/oidc-signing-key.pem';
const DEVELOPMENT_AUTH_RATE_LIMIT = 100;

/**
 * What a start reads: the process environment over `.env` (the non-secret development defaults
 * of the working folder), as ConfigModule would read them.
 */
export function readEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  envFile = '.env',
): Record<string, string | undefined> {
  const file = existsSync(envFile)
    ? parseEnv(readFileSync(envFile, 'utf8'))
    : {};
  return { ...file, ...env };
}

/**
 * The one validation pass, run before the application is built: turns raw strings into typed
 * `Settings`, or throws one `ConfigurationError` that names every offending variable of every
 * feature (values are not echoed: some are secrets).
 */
export function validateSettings(raw: Record<string, unknown>): Settings {
  const problems: string[] = [];
  const invalid = new Set<string>();
  const variables: Record<string, unknown> = {};
  const namespaces = new Map<string, string[]>();
  for (const { namespace, schema } of FEATURE_SETTINGS) {
    const names = variablesOf(schema);
    namespaces.set(namespace, names);
    const provided: Record<string, unknown> = {};
    for (const name of names) {
      // An empty variable (`REDIS_URL=`) means "not set", as in most twelve-factor tools.
      if (raw[name] !== undefined && raw[name] !== '')
        provided[name] = raw[name];
    }
    const settings = plainToInstance<object, object>(schema, provided);
    // Exploring the API by hand spends ten auth requests a minute in no time; development gets a
    // generous budget unless one is set. Production keeps the strict default.
    if (
      namespace === 'rateLimit' &&
      provided.AUTH_RATE_LIMIT === undefined &&
      (raw.NODE_ENV ?? 'development') === 'development'
    )
      (settings as RateLimitSettings).AUTH_RATE_LIMIT =
        DEVELOPMENT_AUTH_RATE_LIMIT;
    // Production signs access tokens RS256 unless told otherwise, so that resource servers can
    // verify them with the JWKS (docs/decisions.md); a deployment that still sets JWT_SECRET
    // says which it wants rather than having its tokens change under it.
    if (
      namespace === 'auth' &&
      provided.JWT_ALGORITHM === undefined &&
      raw.NODE_ENV === 'production'
    ) {
      if (provided.JWT_SECRET !== undefined) {
        problems.push(
          'JWT_ALGORITHM is not set but JWT_SECRET is: production now signs access tokens RS256 by default (with the RSA key of OIDC_SIGNING_KEY_FILE unless JWT_PRIVATE_KEY_FILE is set), so that other services can verify them with the JWKS. Set JWT_ALGORITHM=HS256 to keep HS256 tokens, or unset JWT_SECRET to move to RS256 (docs/upgrading.md)',
        );
        invalid.add('JWT_ALGORITHM');
      } else (settings as AuthSettings).JWT_ALGORITHM = 'RS256';
    }
    const errors = validateSync(settings, { forbidUnknownValues: false });
    problems.push(...oneProblemPerVariable(errors));
    for (const error of errors) invalid.add(error.property);
    Object.assign(variables, settings);
  }
  // Validated above: each feature's class filled every one of its variables.
  const env = variables as unknown as Variables;
  // Every problem is reported at once; a check that reads a variable refused above is skipped,
  // so that one bad value is one line.
  const valid = (...names: (keyof Variables)[]) =>
    names.every((name) => !invalid.has(name));

  const keyProblems = !valid(
    'JWT_ALGORITHM',
    'JWT_PRIVATE_KEY_FILE',
    'JWT_PREVIOUS_PUBLIC_KEY_FILE',
    'OIDC_SIGNING_KEY_FILE',
    'OIDC_PREVIOUS_PUBLIC_KEY_FILE',
  )
    ? []
    : [
        ...(
          [
            'JWT_PRIVATE_KEY_FILE',
            'JWT_PREVIOUS_PUBLIC_KEY_FILE',
            'OIDC_SIGNING_KEY_FILE',
            'OIDC_PREVIOUS_PUBLIC_KEY_FILE',
          ] as const
        )
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
    inputs: (keyof Variables)[],
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
        oidcKey: true,
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
  const oidcKeyFile = !secretsFolder
    ? resolved(['NODE_ENV'], () => resolveOidcKeyFile(env), '')
    : '';
  const webAuthn = resolved(
    ['PUBLIC_URL', 'WEBAUTHN_RP_ID', 'WEBAUTHN_ORIGINS'],
    () => resolveWebAuthn(env, urls.PUBLIC_URL),
    { WEBAUTHN_RP_ID: '', WEBAUTHN_ORIGINS: '' },
  );
  if (valid('NODE_ENV', 'SMTP_URL'))
    problems.push(...productionMailProblems(env));
  if (problems.length > 0) throw new ConfigurationError(problems);

  const all: Record<string, unknown> = {
    ...env,
    ...urls,
    ...webAuthn,
    JWT_SECRET: jwtSecret,
    MFA_ENCRYPTION_KEY: mfaKey,
    OIDC_SIGNING_KEY_FILE: oidcKeyFile,
    SWAGGER_ENABLED: env.SWAGGER_ENABLED ?? env.NODE_ENV !== 'production',
  };
  return Object.fromEntries(
    [...namespaces].map(([namespace, names]) => [
      namespace,
      Object.fromEntries(names.map((name) => [name, all[name]])),
    ]),
  ) as unknown as Settings;
}

/**
 * Production mails links that must reach real people: without a relay they would pile up in
 * files nobody reads. (Where they lead is always known: PUBLIC_URL is required.)
 */
function productionMailProblems(env: Variables): string[] {
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
function resolvePublicUrl(env: Variables): {
  PUBLIC_URL: string;
  JWT_ISSUER: string;
} {
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
  env: Variables,
  publicUrl: string,
): { WEBAUTHN_RP_ID: string; WEBAUTHN_ORIGINS: string } {
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

function resolveMfaKey(env: Variables): string {
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
  env: Variables,
  needs: { jwtSecret: boolean; mfaKey: boolean; oidcKey: boolean },
): string | null {
  if (env.NODE_ENV === 'production') return null;
  const variables = [
    ...(needs.jwtSecret && env.JWT_SECRET === undefined ? ['JWT_SECRET'] : []),
    ...(needs.mfaKey && env.MFA_ENCRYPTION_KEY === undefined
      ? ['MFA_ENCRYPTION_KEY']
      : []),
    ...(needs.oidcKey && env.OIDC_SIGNING_KEY_FILE === undefined
      ? ['OIDC_SIGNING_KEY_FILE']
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

/** The ID-token signing key's file: required in production, generated in development. */
function resolveOidcKeyFile(env: Variables): string {
  if (env.OIDC_SIGNING_KEY_FILE !== undefined) return env.OIDC_SIGNING_KEY_FILE;
  if (env.NODE_ENV === 'production')
    throw new ConfigurationError([
      'OIDC_SIGNING_KEY_FILE is required when NODE_ENV=production: a PEM RSA private key of at least 2048 bits that signs ID tokens, optionally followed by a P-256 key for clients that ask for ES256 (generate them with: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out oidc-signing-key.pem && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 >> oidc-signing-key.pem)',
    ]);
  try {
    loadOrCreateDevelopmentOidcKeys(DEVELOPMENT_OIDC_KEY_FILE);
  } catch (error) {
    throw new ConfigurationError([
      `OIDC_SIGNING_KEY_FILE is not set, and development keeps a generated key in ${DEVELOPMENT_OIDC_KEY_FILE}, which cannot be read or written (${(error as NodeJS.ErrnoException).code ?? String(error)}): set OIDC_SIGNING_KEY_FILE, or fix the file`,
    ]);
  }
  return DEVELOPMENT_OIDC_KEY_FILE;
}

function resolveJwtSecret(env: Variables): string {
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
