import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Min,
} from 'class-validator';
import {
  atMost,
  DAY,
  defineSettings,
  DURATION,
  toDuration,
  toList,
} from '../config/setting-helpers.js';

/**
 * EdDSA is missing on purpose: jsonwebtoken 9, which passport-jwt and @nestjs/jwt verify and sign
 * with, does not implement it.
 */
export const JWT_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export const DPOP_NONCE_MODES = ['off', 'required'] as const;
export type DpopNonceMode = (typeof DPOP_NONCE_MODES)[number];
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** The access tokens: how they are signed, whom they name as issuer and audience, how long they live. docs/configuration.md lists each variable. */
export class AuthSettings {
  @IsIn(JWT_ALGORITHMS, {
    message: `$property must be one of ${JWT_ALGORITHMS.join(', ')} (EdDSA is not supported by jsonwebtoken 9)`,
  })
  JWT_ALGORITHM: JwtAlgorithm = 'HS256';

  @IsOptional()
  @IsString()
  JWT_SECRET?: string;

  /** PEM private key for RS256 / ES256. */
  @IsOptional()
  @IsString()
  JWT_PRIVATE_KEY_FILE?: string;

  /** PEM public key of the previous signing key, still accepted during a rotation. */
  @IsOptional()
  @IsString()
  JWT_PREVIOUS_PUBLIC_KEY_FILE?: string;

  /**
   * PEM RSA private key (2048 bits or more) that signs ID tokens (RS256, OpenID Connect Core
   * §15.1), whatever JWT_ALGORITHM says. Required in production; development generates one into
   * data/oidc-signing-key.pem. May also hold a P-256 private key (after the RSA one): then clients
   * registered with `id_token_signed_response_alg` ES256 get ES256 ID tokens.
   */
  @IsOptional()
  @IsString()
  OIDC_SIGNING_KEY_FILE?: string;

  /** PEM public keys (RSA or P-256) of the previous ID-token keys, still published during a rotation. */
  @IsOptional()
  @IsString()
  OIDC_PREVIOUS_PUBLIC_KEY_FILE?: string;

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

  /**
   * `required`: every DPoP proof must carry a nonce this server issued (RFC 9449 §8, §9), which
   * bounds a proof made in advance by a stolen key to a few minutes; `off`: proofs are bounded by
   * their `iat` alone.
   */
  @IsIn(DPOP_NONCE_MODES)
  DPOP_NONCE: DpopNonceMode = 'off';
}

export const authSettings = defineSettings('auth', AuthSettings);
