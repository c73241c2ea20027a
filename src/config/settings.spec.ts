import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from './configuration-error.js';
import { variablesOf } from './setting-helpers.js';
import {
  FEATURE_SETTINGS,
  readEnvironment,
  validateSettings,
  type Variables,
} from './settings.js';
import { testOidcKeyFile } from '../../test/support/oidc-key.js';

/**
 * The settings of every feature as one flat record (variable names are unique). An ID-token key
 * is given unless the case sets one: without it, development would write data/ and production
 * would refuse to start.
 */
const validateEnvironment = (raw: Record<string, unknown>) =>
  Object.assign(
    {},
    ...Object.values(
      validateSettings({ OIDC_SIGNING_KEY_FILE: testOidcKeyFile(), ...raw }),
    ),
  ) as Variables &
    Record<
      | 'PUBLIC_URL'
      | 'JWT_ISSUER'
      | 'JWT_SECRET'
      | 'MFA_ENCRYPTION_KEY'
      | 'WEBAUTHN_RP_ID'
      | 'WEBAUTHN_ORIGINS',
      string
    >;

const STRONG_SECRET = 'k3Y-8f2a9d1c0b7e6f5a4d3c2b1a0f9e8d7c6b5a';
/** What production needs for account mail: a relay, and where links lead. */
const PRODUCTION_MAIL = {
  SMTP_URL: 'smtp://mail.example.com:587',
  PUBLIC_URL: 'https://auth.example.com',
};

/** Random, as `openssl rand -hex 32` prints one: production refuses patterned keys. */
const MFA_KEY =
  '3f9c1e7a52d84b06e1a9c3f57d2b8e04a6c19f3e7b25d80c4e6a1f9b3d7c2e58';
/**
 * `validateEnvironment` with an MFA key unless the case sets one: without it, development would
 * write data/mfa-key into the working directory.
 */
const validate = (raw: Record<string, unknown>) =>
  validateEnvironment({ MFA_ENCRYPTION_KEY: MFA_KEY, ...raw });

describe('settings beside their features', () => {
  it('declares each variable in exactly one feature', () => {
    const owners = new Map<string, string[]>();
    for (const { namespace, schema } of FEATURE_SETTINGS)
      for (const name of variablesOf(schema))
        owners.set(name, [...(owners.get(name) ?? []), namespace]);
    const shared = [...owners].filter(
      ([, namespaces]) => namespaces.length > 1,
    );
    expect(shared).toEqual([]);
    expect(owners.size).toBeGreaterThan(50);
  });

  it('has every variable documented in docs/configuration.md', () => {
    const documented = readFileSync('docs/configuration.md', 'utf8');
    const missing = FEATURE_SETTINGS.flatMap(({ schema }) =>
      variablesOf(schema),
    ).filter((name) => !documented.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it("serves each feature's values under its namespace, resolved ones included", () => {
    const settings = validateSettings({
      JWT_SECRET: STRONG_SECRET,
      MFA_ENCRYPTION_KEY: MFA_KEY,
      OIDC_SIGNING_KEY_FILE: testOidcKeyFile(),
      MAIL_FROM: 'Team <team@example.com>',
    });
    expect(settings.mail.MAIL_FROM).toBe('Team <team@example.com>');
    expect(settings.app.PUBLIC_URL).toBe('http://localhost:3000');
    expect(settings.auth.JWT_ISSUER).toBe('http://localhost:3000');
    expect(settings.passkeys.WEBAUTHN_RP_ID).toBe('localhost');
    expect(Object.keys(settings.todos)).toEqual(['MAX_TODOS_PER_USER']);
    expect('MAIL_FROM' in settings.app).toBe(false);
  });

  it('names bad values of several features in one pass', () => {
    expect(() =>
      validateSettings({
        JWT_SECRET: STRONG_SECRET,
        MFA_ENCRYPTION_KEY: MFA_KEY,
        OIDC_SIGNING_KEY_FILE: testOidcKeyFile(),
        PORT: 'x',
        OUTBOX_MAX_ATTEMPTS: '0',
        MAX_POSTS_PER_USER: 'lots',
      }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringMatching(/^PORT /),
          expect.stringMatching(/^OUTBOX_MAX_ATTEMPTS /),
          expect.stringMatching(/^MAX_POSTS_PER_USER /),
        ],
      }),
    );
  });

  it('reads .env under the process environment, as ConfigModule did', () => {
    const folder = mkdtempSync(join(tmpdir(), 'warden-env-'));
    try {
      const file = join(folder, '.env');
      writeFileSync(file, '# defaults\nPORT=4000\nHOST="127.0.0.1"\n');
      expect(readEnvironment({ PORT: '5000' }, file)).toEqual({
        PORT: '5000',
        HOST: '127.0.0.1',
      });
      expect(readEnvironment({}, join(folder, 'missing'))).toEqual({});
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('validateSettings', () => {
  it('applies the documented defaults', () => {
    const config = validate({ JWT_SECRET: STRONG_SECRET });
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '0.0.0.0',
      DATABASE_URL: 'sqlite:data/warden.sqlite',
      JWT_ALGORITHM: 'HS256',
      PUBLIC_URL: 'http://localhost:3000',
      JWT_ISSUER: 'http://localhost:3000',
      JWT_ACCEPTED_ISSUERS: [],
      JWT_AUDIENCE: 'warden-api',
      ACCESS_TOKEN_TTL: 900,
      REFRESH_TOKEN_TTL: 14 * 86400,
      // Development's generous default; production's is 10 (below).
      AUTH_RATE_LIMIT: 100,
      LOGIN_FAILURE_LIMIT: 5,
      RATE_LIMIT: 300,
      ARGON2_MEMORY_KIB: 19456,
      ARGON2_TIME_COST: 2,
      ARGON2_PARALLELISM: 1,
      PASSWORD_HASH_CONCURRENCY: Math.max(1, availableParallelism() - 1),
      CORS_ORIGINS: [],
      SWAGGER_ENABLED: true,
      LOG_LEVEL: 'info',
    });
  });

  it('keeps the strict auth budget in production, and any value that is set', () => {
    expect(
      validate({
        NODE_ENV: 'production',
        JWT_SECRET: STRONG_SECRET,
        JWT_ALGORITHM: 'HS256',
        ...PRODUCTION_MAIL,
      }).AUTH_RATE_LIMIT,
    ).toBe(10);
    expect(
      validate({ JWT_SECRET: STRONG_SECRET, AUTH_RATE_LIMIT: '7' })
        .AUTH_RATE_LIMIT,
    ).toBe(7);
  });

  it('measures production secrets and caps lifetimes, naming the variable', () => {
    expect(() =>
      validate({
        NODE_ENV: 'production',
        JWT_SECRET: '0123456789abcdef0123456789abcdef',
        JWT_ALGORITHM: 'HS256',
      }),
    ).toThrow(/JWT_SECRET is too predictable/);
    expect(() =>
      validate({
        JWT_SECRET: STRONG_SECRET,
        ACCESS_TOKEN_TTL: '3650d',
      }),
    ).toThrow(/ACCESS_TOKEN_TTL must be at most 1d/);
    expect(
      validate({ JWT_SECRET: STRONG_SECRET, ACCESS_TOKEN_TTL: '1d' })
        .ACCESS_TOKEN_TTL,
    ).toBe(86400);
    expect(() =>
      validate({ JWT_SECRET: STRONG_SECRET, TRUST_PROXY: 'true' }),
    ).toThrow(/TRUST_PROXY/);
    expect(
      validate({
        JWT_SECRET: STRONG_SECRET,
        TRUST_PROXY: 'loopback,10.0.0.0/8',
      }).TRUST_PROXY,
    ).toBe('loopback,10.0.0.0/8');
  });

  it('parses numbers, durations, lists and booleans', () => {
    const config = validate({
      JWT_SECRET: STRONG_SECRET,
      PORT: '8080',
      ACCESS_TOKEN_TTL: '5m',
      REFRESH_TOKEN_TTL: '7d',
      CORS_ORIGINS: 'https://a.example.com, http://localhost:5173',
      SWAGGER_ENABLED: 'false',
      RATE_LIMIT: '0',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      ACCESS_TOKEN_TTL: 300,
      REFRESH_TOKEN_TTL: 604800,
      CORS_ORIGINS: ['https://a.example.com', 'http://localhost:5173'],
      SWAGGER_ENABLED: false,
      RATE_LIMIT: 0,
    });
  });

  it('reads the mail settings, and allows plain SMTP to this machine only', () => {
    expect(validate({ JWT_SECRET: STRONG_SECRET })).toMatchObject({
      SMTP_REQUIRE_TLS: true,
      MAIL_FROM: 'Warden <no-reply@localhost>',
      MAIL_OUTBOX_DIR: 'data/outbox',
      OUTBOX_MAX_ATTEMPTS: 8,
      OUTBOX_RETRY_DELAY: 5,
    });
    expect(
      validate({
        JWT_SECRET: STRONG_SECRET,
        SMTP_URL: 'smtp://127.0.0.1:2525',
        SMTP_REQUIRE_TLS: 'false',
        OUTBOX_RETRY_DELAY: '30s',
      }),
    ).toMatchObject({ SMTP_REQUIRE_TLS: false, OUTBOX_RETRY_DELAY: 30 });
    expect(() =>
      validate({
        JWT_SECRET: STRONG_SECRET,
        SMTP_URL: 'smtp://user:secret@mail.example.com:587',
        SMTP_REQUIRE_TLS: 'false',
      }),
    ).toThrow(/SMTP_REQUIRE_TLS=false .* mail\.example\.com/);
  });

  it('refuses production without a relay while account mail is on, naming the variable', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: STRONG_SECRET,
      JWT_ALGORITHM: 'HS256',
      PUBLIC_URL: 'https://auth.example.com',
    };
    expect(() => validate(production)).toThrow(
      /SMTP_URL is required when NODE_ENV=production/,
    );
    expect(
      validate({
        ...production,
        SMTP_URL: 'smtp://m.example',
        ACCOUNT_URL: 'https://app.example.com/account',
      }).ACCOUNT_URL,
    ).toBe('https://app.example.com/account');
    // Each link may lead to a page of its own.
    expect(
      validate({
        ...production,
        SMTP_URL: 'smtp://m.example',
        PASSWORD_RESET_URL: 'https://app.example.com/reset?token=',
        SIGN_IN_METHOD_REMOVAL_URL: 'https://app.example.com/#/not-me/',
      }),
    ).toMatchObject({
      PASSWORD_RESET_URL: 'https://app.example.com/reset?token=',
      SIGN_IN_METHOD_REMOVAL_URL: 'https://app.example.com/#/not-me/',
      SIGN_IN_METHOD_REMOVAL_TTL: 7 * 86400,
    });
    // Both flows off: nothing to mail, nothing required.
    expect(
      validate({
        ...production,
        EMAIL_VERIFICATION: 'off',
        PASSWORD_RESET: 'false',
      }),
    ).toMatchObject({ EMAIL_VERIFICATION: 'off', PASSWORD_RESET: false });
    // Development needs neither: links are logged and mail goes to .eml files.
    expect(validate({ JWT_SECRET: STRONG_SECRET })).toMatchObject({
      EMAIL_VERIFICATION: 'optional',
      PASSWORD_RESET: true,
      PASSWORD_RESET_TTL: 1800,
      EMAIL_VERIFICATION_TTL: 86400,
    });
  });

  it('requires PUBLIC_URL in production, an https origin unless on loopback, and one issuer', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: STRONG_SECRET,
      JWT_ALGORITHM: 'HS256',
      SMTP_URL: 'smtp://m.example',
    };
    expect(() => validate(production)).toThrow(
      /PUBLIC_URL is required when NODE_ENV=production/,
    );
    // ACCOUNT_URL alone used to be enough: the discovery document then took the Host header.
    expect(() =>
      validate({ ...production, ACCOUNT_URL: 'https://app.example.com' }),
    ).toThrow(/PUBLIC_URL is required/);
    expect(() =>
      validate({ ...production, PUBLIC_URL: 'http://auth.example.com' }),
    ).toThrow(/PUBLIC_URL must be https/);
    for (const loopback of [
      'http://localhost:3000',
      'http://127.0.0.1:8080',
      'http://[::1]:3000',
    ])
      expect(validate({ ...production, PUBLIC_URL: loopback })).toMatchObject({
        PUBLIC_URL: loopback,
        JWT_ISSUER: loopback,
      });
    for (const notAnOrigin of [
      'https://auth.example.com/',
      'https://auth.example.com/warden',
      'https://auth.example.com?x=1',
      'auth.example.com',
      'ftp://auth.example.com',
    ])
      expect(() =>
        validate({ JWT_SECRET: STRONG_SECRET, PUBLIC_URL: notAnOrigin }),
      ).toThrow(/PUBLIC_URL must be an origin/);
    const https = { ...production, PUBLIC_URL: 'https://auth.example.com' };
    expect(validate(https)).toMatchObject({
      JWT_ISSUER: 'https://auth.example.com',
      JWT_ACCEPTED_ISSUERS: [],
    });
    expect(() => validate({ ...https, JWT_ISSUER: 'warden' })).toThrow(
      /JWT_ISSUER must equal PUBLIC_URL/,
    );
    expect(
      validate({
        ...https,
        JWT_ACCEPTED_ISSUERS: 'warden, https://old.example.com',
      }).JWT_ACCEPTED_ISSUERS,
    ).toEqual(['warden', 'https://old.example.com']);
    // Development takes any issuer, and defaults PUBLIC_URL to this machine.
    expect(
      validate({
        JWT_SECRET: STRONG_SECRET,
        PORT: '8080',
        JWT_ISSUER: 'warden',
      }),
    ).toMatchObject({
      PUBLIC_URL: 'http://localhost:8080',
      JWT_ISSUER: 'warden',
    });
  });

  it.each([
    ['EMAIL_VERIFICATION', 'sometimes'],
    ['PASSWORD_RESET_TTL', '2d'],
    ['PASSWORD_RESET_TTL', '10'],
    ['ACCOUNT_URL', 'https://app.example.com/account/'],
    ['ACCOUNT_URL', 'javascript:alert(1)'],
    ['PASSWORD_RESET_URL', 'https://app.example.com/reset'],
    ['PASSWORD_RESET_URL', 'https://app.example.com=/'],
    ['EMAIL_VERIFICATION_URL', 'javascript:alert(1)//='],
    ['EMAIL_CHANGE_URL', 'https://app.example.com/a b?token='],
    ['PRODUCT_NAME', 'Line\r\nBcc: x@example.com'],
  ])('refuses %s=%j, naming it', (name, value) => {
    expect(() =>
      validate({ JWT_SECRET: STRONG_SECRET, [name]: value }),
    ).toThrow(new RegExp(name));
  });

  it('treats an empty variable as unset', () => {
    expect(
      validate({
        JWT_SECRET: STRONG_SECRET,
        PORT: '',
        REDIS_URL: '',
      }),
    ).toMatchObject({
      PORT: 3000,
      REDIS_URL: undefined,
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['NODE_ENV', 'staging'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['REDIS_URL', 'localhost:6379'],
    ['ACCESS_TOKEN_TTL', '15 minutes'],
    ['REFRESH_TOKEN_TTL', '0'],
    ['AUTH_RATE_LIMIT', '-1'],
    ['ARGON2_MEMORY_KIB', '512'],
    ['ARGON2_TIME_COST', 'two'],
    ['CORS_ORIGINS', 'not a url'],
    ['TRUST_PROXY', 'everyone'],
    ['SWAGGER_ENABLED', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['JWT_ALGORITHM', 'none'],
    ['SMTP_URL', 'mail.example.com:587'],
    ['SMTP_URL', 'http://mail.example.com'],
    ['SMTP_URL', 'smtp://mail.example.com/path?x=1'],
    ['SMTP_REQUIRE_TLS', 'sometimes'],
    ['OUTBOX_MAX_ATTEMPTS', '0'],
    ['OUTBOX_RETRY_DELAY', '2h'],
  ])('refuses %s=%j with an error that names the variable', (name, value) => {
    expect(() =>
      validate({ JWT_SECRET: STRONG_SECRET, [name]: value }),
    ).toThrow(new RegExp(`\\b${name}\\b`));
  });

  it('takes RS256 and ES256 without a key file of their own (the ID-token key signs), needs a readable one when named, and refuses EdDSA by name', () => {
    expect(validate({ JWT_ALGORITHM: 'RS256' }).JWT_ALGORITHM).toBe('RS256');
    expect(() =>
      validate({
        JWT_ALGORITHM: 'ES256',
        JWT_PRIVATE_KEY_FILE: '/nonexistent/key.pem',
      }),
    ).toThrow(/JWT_PRIVATE_KEY_FILE must name a readable PEM file/);
    expect(() => validate({ JWT_ALGORITHM: 'EdDSA' })).toThrow(
      /JWT_ALGORITHM.*EdDSA is not supported/,
    );
  });

  it('reports every bad variable at once', () => {
    try {
      validate({
        JWT_SECRET: STRONG_SECRET,
        PORT: 'x',
        LOG_LEVEL: 'y',
        PASSWORD_HASH_CONCURRENCY: '0',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toMatch(/PORT/);
      expect((error as Error).message).toMatch(/LOG_LEVEL/);
      expect((error as Error).message).toMatch(/PASSWORD_HASH_CONCURRENCY/);
    }
  });

  it('requires JWT_SECRET in production and turns Swagger off there by default', () => {
    expect(() =>
      validate({ NODE_ENV: 'production', JWT_ALGORITHM: 'HS256' }),
    ).toThrow(/JWT_SECRET is required/);
    expect(
      validate({
        NODE_ENV: 'production',
        JWT_SECRET: STRONG_SECRET,
        JWT_ALGORITHM: 'HS256',
        ...PRODUCTION_MAIL,
      }).SWAGGER_ENABLED,
    ).toBe(false);
  });

  it.each([
    ['a 16-byte secret', '0123456789abcdef'],
    ['a well-known example', 'your-256-bit-secret'],
    ['"secret"', 'secret'],
    ['a long run of one character', 'a'.repeat(64)],
  ])('refuses %s in every environment', (_case, secret) => {
    for (const NODE_ENV of ['production', 'development']) {
      expect(() => validate({ NODE_ENV, JWT_SECRET: secret })).toThrow(
        /JWT_SECRET/,
      );
    }
  });

  it('refuses production without MFA_ENCRYPTION_KEY while MFA_TOTP is on, and a key that is not 32 bytes anywhere', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: STRONG_SECRET,
      JWT_ALGORITHM: 'HS256',
      ...PRODUCTION_MAIL,
    };
    expect(() => validateEnvironment(production)).toThrow(
      /MFA_ENCRYPTION_KEY is required when NODE_ENV=production and MFA_TOTP is on/,
    );
    expect(
      validateEnvironment({ ...production, MFA_TOTP: 'false' }),
    ).toMatchObject({ MFA_TOTP: false, MFA_ENCRYPTION_KEY: '' });
    const base64 = randomBytes(32).toString('base64');
    expect(
      validateEnvironment({ ...production, MFA_ENCRYPTION_KEY: base64 })
        .MFA_ENCRYPTION_KEY,
    ).toBe(base64);
    // A key of the right length with a pattern is refused in production only.
    for (const key of [
      '00'.repeat(32),
      'ab'.repeat(32),
      Buffer.alloc(32, 7).toString('base64'),
      Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('hex'),
    ]) {
      expect(() =>
        validateEnvironment({ ...production, MFA_ENCRYPTION_KEY: key }),
      ).toThrow(
        /MFA_ENCRYPTION_KEY (decodes to bytes with a pattern|has too few distinct characters)/,
      );
      expect(() =>
        validateEnvironment({
          ...production,
          MFA_ENCRYPTION_KEY: MFA_KEY,
          MFA_PREVIOUS_ENCRYPTION_KEY: key,
        }),
      ).toThrow(
        /MFA_PREVIOUS_ENCRYPTION_KEY (decodes to bytes with a pattern|has too few distinct characters)/,
      );
      expect(
        validateEnvironment({
          ...production,
          NODE_ENV: 'development',
          MFA_ENCRYPTION_KEY: key,
        }).MFA_ENCRYPTION_KEY,
      ).toBe(key);
    }
    for (const key of [
      'ab'.repeat(31),
      Buffer.alloc(16).toString('base64'),
      Buffer.alloc(33).toString('base64'),
      'z'.repeat(64),
    ]) {
      for (const NODE_ENV of ['production', 'development'])
        expect(() =>
          validateEnvironment({
            ...production,
            NODE_ENV,
            MFA_ENCRYPTION_KEY: key,
          }),
        ).toThrow(/MFA_ENCRYPTION_KEY must be 32 random bytes/);
    }
  });

  it('takes MFA_PREVIOUS_ENCRYPTION_KEY only beside MFA_ENCRYPTION_KEY, and only as a key', () => {
    const previous = Buffer.alloc(32, 9).toString('base64');
    expect(
      validateEnvironment({
        JWT_SECRET: STRONG_SECRET,
        MFA_ENCRYPTION_KEY: MFA_KEY,
        MFA_PREVIOUS_ENCRYPTION_KEY: previous,
      }).MFA_PREVIOUS_ENCRYPTION_KEY,
    ).toBe(previous);
    expect(() =>
      validateEnvironment({
        JWT_SECRET: STRONG_SECRET,
        MFA_ENCRYPTION_KEY: undefined,
        MFA_PREVIOUS_ENCRYPTION_KEY: previous,
      }),
    ).toThrow(/MFA_PREVIOUS_ENCRYPTION_KEY needs MFA_ENCRYPTION_KEY/);
    expect(() =>
      validateEnvironment({
        JWT_SECRET: STRONG_SECRET,
        MFA_ENCRYPTION_KEY: MFA_KEY,
        MFA_PREVIOUS_ENCRYPTION_KEY: 'short',
      }),
    ).toThrow(/MFA_PREVIOUS_ENCRYPTION_KEY must be 32 random bytes/);
  });

  it('resolves the passkeys relying party, and refuses origins off its domain, naming the variables', () => {
    expect(validate({ JWT_SECRET: STRONG_SECRET, PORT: '8080' })).toMatchObject(
      {
        WEBAUTHN_RP_ID: 'localhost',
        WEBAUTHN_ORIGINS: 'http://localhost:8080',
      },
    );
    expect(
      validate({
        JWT_SECRET: STRONG_SECRET,
        PUBLIC_URL: 'https://auth.example.com',
      }),
    ).toMatchObject({
      WEBAUTHN_RP_ID: 'auth.example.com',
      WEBAUTHN_ORIGINS: 'https://auth.example.com',
    });
    expect(
      validate({
        JWT_SECRET: STRONG_SECRET,
        WEBAUTHN_RP_ID: 'example.com',
        WEBAUTHN_ORIGINS: 'https://app.example.com,https://example.com',
      }).WEBAUTHN_ORIGINS,
    ).toBe('https://app.example.com,https://example.com');
    expect(() =>
      validate({
        JWT_SECRET: STRONG_SECRET,
        WEBAUTHN_RP_ID: 'example.com',
        WEBAUTHN_ORIGINS: 'https://app.example.com,https://evilexample.com',
      }),
    ).toThrow(
      /WEBAUTHN_ORIGINS must be on the domain of WEBAUTHN_RP_ID \(example\.com\); https:\/\/evilexample\.com is not/,
    );
    for (const [name, value] of [
      ['WEBAUTHN_RP_ID', 'https://example.com'],
      ['WEBAUTHN_RP_ID', 'Example.COM'],
      ['WEBAUTHN_ORIGINS', 'https://example.com/login'],
      ['WEBAUTHN_ORIGINS', 'example.com'],
    ])
      expect(() =>
        validate({ JWT_SECRET: STRONG_SECRET, [name]: value }),
      ).toThrow(new RegExp(name));
  });

  it('generates a development secret and MFA key once and keeps them', () => {
    const cwd = process.cwd();
    const dir = mkdtempSync(join(tmpdir(), 'warden-secret-'));
    process.chdir(dir);
    try {
      const first = validateEnvironment({});
      const second = validateEnvironment({});
      expect(first.JWT_SECRET).toBe(second.JWT_SECRET);
      expect(first.JWT_SECRET.length).toBeGreaterThanOrEqual(43);
      expect(readFileSync(join(dir, 'data/jwt-secret'), 'utf8').trim()).toBe(
        first.JWT_SECRET,
      );
      expect(first.MFA_ENCRYPTION_KEY).toBe(second.MFA_ENCRYPTION_KEY);
      expect(Buffer.from(first.MFA_ENCRYPTION_KEY, 'base64')).toHaveLength(32);
      expect(readFileSync(join(dir, 'data/mfa-key'), 'utf8').trim()).toBe(
        first.MFA_ENCRYPTION_KEY,
      );
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('start-up messages: every problem at once, one line per bad value', () => {
  const problemsOf = (raw: Record<string, unknown>): string[] => {
    try {
      validate({ JWT_SECRET: STRONG_SECRET, ...raw });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      return (error as ConfigurationError).problems;
    }
    return [];
  };

  it.each([
    ['3000x', 'a number with a suffix'],
    ['forever', 'a word'],
    ['-5', 'a negative number'],
    ['9'.repeat(20), 'a huge number'],
    ['{"a":1}', 'JSON'],
  ])(
    'gives each variable that refuses %j (%s) exactly one line, naming it',
    (value) => {
      const names = Object.keys(validate({ JWT_SECRET: STRONG_SECRET }));
      let refused = 0;
      for (const name of names) {
        const problems = problemsOf({ [name]: value });
        if (problems.length === 0) continue;
        refused++;
        expect(problems, `${name}=${value}`).toHaveLength(1);
        expect(problems[0], `${name}=${value}`).toContain(name);
      }
      expect(refused).toBeGreaterThan(10);
    },
  );

  it('defaults production to RS256, and refuses a production start that has JWT_SECRET but no JWT_ALGORITHM, naming both', () => {
    const production = { NODE_ENV: 'production', ...PRODUCTION_MAIL };
    expect(validate(production)).toMatchObject({
      JWT_ALGORITHM: 'RS256',
      JWT_SECRET: '',
    });
    // problemsOf sets JWT_SECRET.
    expect(problemsOf(production)).toEqual([
      expect.stringMatching(
        /^JWT_ALGORITHM is not set but JWT_SECRET is: .*Set JWT_ALGORITHM=HS256 to keep HS256 tokens, or unset JWT_SECRET/,
      ),
    ]);
    expect(
      validate({
        ...production,
        JWT_SECRET: STRONG_SECRET,
        JWT_ALGORITHM: 'HS256',
      }).JWT_ALGORITHM,
    ).toBe('HS256');
    // Development keeps HS256 (zero set-up).
    expect(validate({ JWT_SECRET: STRONG_SECRET }).JWT_ALGORITHM).toBe('HS256');
  });

  it('names everything production lacks in one start', () => {
    expect(
      problemsOf({
        NODE_ENV: 'production',
        JWT_ALGORITHM: 'HS256',
        JWT_SECRET: undefined,
        MFA_ENCRYPTION_KEY: undefined,
      }),
    ).toEqual([
      expect.stringContaining('PUBLIC_URL is required'),
      expect.stringContaining('JWT_SECRET is required'),
      expect.stringContaining('MFA_ENCRYPTION_KEY is required'),
      expect.stringContaining('SMTP_URL is required'),
    ]);
  });

  it('reports a bad value beside a missing production setting, without a line about what the bad value feeds', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      PORT: '3000x',
      JWT_ALGORITHM: 'RS999',
      ...PRODUCTION_MAIL,
    });
    expect(problems).toEqual([
      expect.stringMatching(/^PORT /),
      expect.stringMatching(/^JWT_ALGORITHM /),
    ]);
  });

  it('reads as one line when there is one problem', () => {
    expect(
      new ConfigurationError(['PORT must be an integer number']).message,
    ).toBe('Invalid configuration: PORT must be an integer number');
  });
});
