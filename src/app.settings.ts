import { Transform } from 'class-transformer';
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
} from 'class-validator';
import { defaultMaxConnections } from './common/connection-limits.js';
import { isValidTrustProxy } from './config/trust-proxy.js';
import {
  defineSettings,
  DURATION,
  toBoolean,
  toDuration,
  toInteger,
  toList,
} from './config/setting-helpers.js';

export const NODE_ENVS = ['development', 'production', 'test'] as const;

/** The HTTP server: where it listens, the origin clients reach it at, and what it lets in. docs/configuration.md lists each variable. */
export class AppSettings {
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

  /** The name account mails sign with. */
  @IsString()
  @Matches(/^[^\r\n]{1,64}$/, {
    message: '$property must be one line of at most 64 characters',
  })
  PRODUCT_NAME = 'Warden';

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
}

export const appSettings = defineSettings('app', AppSettings);
