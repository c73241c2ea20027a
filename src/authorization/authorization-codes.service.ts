import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { IsNull, LessThan, Repository } from 'typeorm';
import type { ClientInfo } from '../common/client-info.js';
import { hashSecretToken, newSecretToken } from '../common/secret-token.js';
import type { Session } from '../sessions/session.entity.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { AuthorizationCode } from './authorization-code.entity.js';

/** RFC 9700 §4.2.1 recommends short lives; OAuth 2.1 §4.1.2 says at most 10 minutes. */
export const AUTHORIZATION_CODE_TTL_SECONDS = 60;

/** How often an instance sweeps expired codes (on the next issue after this long). */
const SWEEP_INTERVAL_MS = 10_000;

/** RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** What an authorization code is issued for. */
export interface CodeGrant {
  clientId: string;
  browserSession: Session;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | null;
  scope: string;
}

/** What the token request presents with a code. */
export interface CodeRedemption {
  code: string;
  clientId: string;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
  /** The DPoP key the new session's refresh tokens are bound to (a public client's), or null. */
  dpopJkt: string | null;
}

export type RedemptionResult =
  | {
      ok: true;
      session: Session;
      refreshToken: string;
      nonce: string | null;
    }
  | { ok: false; reason: string };

/**
 * Authorization codes: issued by the authorization endpoint, redeemed once at the token
 * endpoint. Redemption claims the code with one conditional UPDATE (`WHERE redeemedAt IS
 * NULL`), so of concurrent redemptions exactly one wins. A code that comes back after it was
 * redeemed is a replay (RFC 6749 §4.1.2): the session its first redemption started ends, and the
 * code is deleted. If the replay lands between the winner's claim and its session's insert, the
 * winner finds its code gone and ends the session itself.
 */
@Injectable()
export class AuthorizationCodesService {
  private nextSweep = 0;
  private readonly securityLog = new Logger('Security');

  constructor(
    @InjectRepository(AuthorizationCode)
    private readonly codes: Repository<AuthorizationCode>,
    private readonly sessions: SessionsService,
  ) {}

  async issue(grant: CodeGrant): Promise<string> {
    const code = newSecretToken();
    // Codes expired for a minute are dead weight (a replay within that minute still finds its
    // code and ends what it issued). Swept by an issue at most every SWEEP_INTERVAL_MS per
    // instance, so a burst of sign-ins runs one DELETE, not one each.
    if (Date.now() >= this.nextSweep) {
      this.nextSweep = Date.now() + SWEEP_INTERVAL_MS;
      await this.codes.delete({
        expiresAt: LessThan(new Date(Date.now() - 60_000)),
      });
    }
    await this.codes.insert({
      codeHash: hashSecretToken(code),
      clientId: grant.clientId,
      userId: grant.browserSession.userId,
      browserSessionId: grant.browserSession.id,
      redirectUri: grant.redirectUri,
      codeChallenge: grant.codeChallenge,
      nonce: grant.nonce,
      scope: grant.scope,
      expiresAt: new Date(Date.now() + AUTHORIZATION_CODE_TTL_SECONDS * 1000),
      redeemedAt: null,
      sessionId: null,
    });
    return code;
  }

  async redeem(
    redemption: CodeRedemption,
    client: ClientInfo,
  ): Promise<RedemptionResult> {
    const codeHash = hashSecretToken(redemption.code);
    const stored = await this.codes.findOneBy({ codeHash });
    if (!stored) return { ok: false, reason: 'The code is unknown' };
    if (stored.redeemedAt !== null) {
      await this.replayed(stored, client);
      return { ok: false, reason: 'The code was already used' };
    }
    if (stored.clientId !== redemption.clientId)
      return { ok: false, reason: 'The code was issued to another client' };
    if (stored.expiresAt.getTime() <= Date.now())
      return { ok: false, reason: 'The code has expired' };
    // RFC 6749 §4.1.3: the same redirect_uri as in the authorization request, byte for byte.
    if (redemption.redirectUri !== stored.redirectUri)
      return {
        ok: false,
        reason: 'redirect_uri differs from the authorization request',
      };
    if (
      redemption.codeVerifier === undefined ||
      !CODE_VERIFIER.test(redemption.codeVerifier) ||
      s256(redemption.codeVerifier) !== stored.codeChallenge
    )
      return {
        ok: false,
        reason: 'code_verifier does not match the code_challenge',
      };
    const browserSession = await this.sessions.findActive(
      stored.browserSessionId,
    );
    if (!browserSession)
      return {
        ok: false,
        reason: 'The sign-in this code came from has ended',
      };

    const sessionId = randomUUID();
    const { affected } = await this.codes.update(
      { codeHash, redeemedAt: IsNull() },
      { redeemedAt: new Date(), sessionId },
    );
    if (!affected) {
      await this.replayed(stored, client);
      return { ok: false, reason: 'The code was already used' };
    }
    const { session, refreshToken } = await this.sessions.startForClient(
      browserSession,
      sessionId,
      stored.clientId,
      stored.scope,
      client,
      redemption.dpopJkt,
    );
    if (!(await this.codes.existsBy({ codeHash }))) {
      await this.sessions.endSession(sessionId, 'authorization-code-reuse');
      return { ok: false, reason: 'The code was already used' };
    }
    return { ok: true, session, refreshToken, nonce: stored.nonce };
  }

  /** Deletes what a removed client was issued and not yet redeemed. */
  async deleteForClient(clientId: string): Promise<void> {
    await this.codes.delete({ clientId });
  }

  private async replayed(
    stored: AuthorizationCode,
    client: ClientInfo,
  ): Promise<void> {
    this.securityLog.warn(
      `authorization code reuse: client ${stored.clientId}, user ${stored.userId}, session ${stored.sessionId ?? 'none'} ended (ip ${client.ip})`,
    );
    await this.codes.delete({ codeHash: stored.codeHash });
    if (stored.sessionId !== null)
      await this.sessions.endSession(
        stored.sessionId,
        'authorization-code-reuse',
      );
  }
}

/** RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))). */
export const s256 = (verifier: string): string =>
  createHash('sha256').update(verifier, 'ascii').digest('base64url');
