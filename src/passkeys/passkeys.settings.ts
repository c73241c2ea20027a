import { IsOptional, Matches } from 'class-validator';
import { defineSettings } from '../config/setting-helpers.js';

/** Passkeys: the WebAuthn relying party they are bound to. docs/configuration.md lists each variable. */
export class PasskeysSettings {
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
}

export const passkeysSettings = defineSettings('passkeys', PasskeysSettings);
