import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { Settings } from '../config/settings.js';
import { loadKey, type PublicJwk, thumbprint } from './jwt-keys.js';

/**
 * The key that signs ID tokens: RS256, which OpenID Connect Core §15.1 requires every provider
 * to support, from OIDC_SIGNING_KEY_FILE in every JWT_ALGORITHM mode (access tokens keep their
 * own keys). OIDC_PREVIOUS_PUBLIC_KEY_FILE stays published during a rotation, so ID tokens the
 * old key signed still verify at clients that fetch the JWKS again.
 */
@Injectable()
export class OidcKeys {
  readonly signingKey: KeyObject;
  readonly keyId: string;
  readonly jwks: PublicJwk[];

  constructor(config: ConfigService<Settings, true>) {
    this.signingKey = loadKey(
      'OIDC_SIGNING_KEY_FILE',
      config.get('auth.OIDC_SIGNING_KEY_FILE', { infer: true }),
      'RS256',
      createPrivateKey,
    );
    const publicKeys = [createPublicKey(this.signingKey)];
    const previous = config.get('auth.OIDC_PREVIOUS_PUBLIC_KEY_FILE', {
      infer: true,
    });
    if (previous)
      publicKeys.push(
        loadKey(
          'OIDC_PREVIOUS_PUBLIC_KEY_FILE',
          previous,
          'RS256',
          createPublicKey,
        ),
      );
    this.jwks = publicKeys.map((key) => ({
      ...key.export({ format: 'jwk' }),
      kid: thumbprint(key),
      alg: 'RS256',
      use: 'sig',
    }));
    this.keyId = this.jwks[0].kid;
  }
}
