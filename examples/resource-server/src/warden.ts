import * as client from 'openid-client';
import type { ResourceServerSettings } from './settings.js';

/** The provider token for Warden as this server knows it. */
export const WARDEN = Symbol('Warden');

/** Warden's metadata (RFC 8414, read once at start) and this server's client for introspection. */
export interface Warden {
  settings: ResourceServerSettings;
  metadata: client.ServerMetadata;
  /** RFC 7662: whether Warden says the token is live right now. */
  isActive(token: string): Promise<boolean>;
}

/** Discovers Warden with openid-client, which checks its metadata as any client would. */
export async function connectToWarden(
  settings: ResourceServerSettings,
): Promise<Warden> {
  const config = await client
    .discovery(
      settings.wardenUrl,
      settings.introspection.clientId,
      undefined,
      client.ClientSecretBasic(settings.introspection.clientSecret),
      // Plain http for a Warden on this machine only (development and the example's test).
      settings.wardenUrl.protocol === 'http:'
        ? { execute: [client.allowInsecureRequests] }
        : undefined,
    )
    .catch((error: Error) => {
      throw new Error(
        `Warden's discovery document at WARDEN_URL (${settings.wardenUrl.href}) could not be read: ${error.message}`,
      );
    });
  return {
    settings,
    metadata: config.serverMetadata(),
    isActive: async (token) =>
      (await client.tokenIntrospection(config, token)).active,
  };
}
