import { SetMetadata } from '@nestjs/common';

export const AUTH_RATE_LIMITED = 'warden:auth-rate-limited';

/**
 * Puts a route under the per-IP `AUTH_RATE_LIMIT` (10 a minute by default, one budget shared by
 * every such route): the routes that check a password or a token an attacker would guess.
 */
export const AuthRateLimited = () => SetMetadata(AUTH_RATE_LIMITED, true);
