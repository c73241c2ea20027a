import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import {
  type EntityManager,
  type FindOptionsWhere,
  In,
  IsNull,
  Not,
  Repository,
} from 'typeorm';
import {
  CredentialLifecycle,
  type CredentialEnder,
  type Ended,
  type EndingContext,
} from '../credentials/credential-lifecycle.service.js';
import type { ClientInfo } from '../common/client-info.js';
import { hashSecretToken, newSecretToken } from '../common/secret-token.js';
import { grantedScopes, intersectScopes } from '../roles/roles.js';
import { resolveScopes, type Scope } from '../roles/scopes.js';
import { ExpiringCache } from '../cache/expiring-cache.js';
import { InvalidationBus } from '../cache/invalidation-bus.js';
import type { Settings } from '../config/settings.js';
import {
  isActiveAccount,
  requiresVerifiedEmail,
} from '../users/account-status.js';
import type { User } from '../users/user.entity.js';
import type { Authentication } from './authentication.js';
import { RefreshToken } from './refresh-token.entity.js';
import { Session, type SessionEndReason } from './session.entity.js';

const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 50_000;

export type RotationResult =
  | {
      ok: true;
      session: Session;
      user: User;
      scopes: Scope[];
      refreshToken: string;
    }
  | {
      ok: false;
      reason:
        | 'unknown'
        | 'reused'
        | 'ended'
        | 'expired'
        | 'user-inactive'
        | 'invalid-scope'
        | 'dpop-key';
    };

/**
 * Sessions and their refresh tokens (opaque, 256 random bits, stored as SHA-256 only).
 *
 * Rotation claims the presented token with one conditional UPDATE (`WHERE rotatedAt IS NULL`),
 * so of any number of concurrent refreshes exactly one wins and stores a successor. A token
 * that was already rotated and comes back is reuse (RFC 9700 §4.14.2): the whole session ends.
 *
 * Whether a session is still active is what every authenticated request asks; the answer is
 * cached in memory and invalidated through the InvalidationBus (Redis pub/sub across
 * instances) the moment a session ends, so ended sessions are refused everywhere at once.
 */
@Injectable()
export class SessionsService implements CredentialEnder {
  readonly targets = ['current-session', 'other-sessions'] as const;
  private readonly logger = new Logger('Security');
  private readonly idleTtlMs: number;
  private readonly absoluteTtlMs: number;
  private readonly requireVerifiedEmail: boolean;
  /** Session id → its user and its absolute expiry (ms), 0 when it has ended. */
  private readonly activeUntil = new ExpiringCache<
    string,
    { userId: string | null; until: number }
  >(CACHE_TTL_MS, CACHE_MAX_ENTRIES);

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectRepository(RefreshToken)
    private readonly refreshTokens: Repository<RefreshToken>,
    private readonly bus: InvalidationBus,
    config: ConfigService<Settings, true>,
    lifecycle: CredentialLifecycle,
  ) {
    lifecycle.register(this);
    this.idleTtlMs =
      config.get('sessions.REFRESH_TOKEN_TTL', { infer: true }) * 1000;
    this.absoluteTtlMs =
      config.get('sessions.SESSION_ABSOLUTE_TTL', { infer: true }) * 1000;
    this.requireVerifiedEmail = requiresVerifiedEmail(config);
    bus.attach('session', this.activeUntil);
  }

  async start(
    user: User,
    scope: string,
    client: ClientInfo,
    authentication: Authentication,
    /** The DPoP key a sign-in without client authentication bound its tokens to (RFC 9449 §5). */
    dpopJkt: string | null = null,
  ): Promise<{ session: Session; refreshToken: string }> {
    const session = await this.sessions.save({
      ...this.newSession(user.id, scope, client, authentication),
      dpopJkt,
    });
    return { session, refreshToken: await this.issueRefreshToken(session.id) };
  }

  /**
   * A browser session of the hosted sign-in pages: no scopes and no refresh token of its own;
   * the cookie's secret is the credential, stored as its SHA-256. Sessions started from it for
   * clients (`startForClient`) end with it.
   */
  async startBrowserSession(
    user: User,
    client: ClientInfo,
    authentication: Authentication,
  ): Promise<{ session: Session; cookieSecret: string }> {
    const cookieSecret = newSecretToken();
    const session = await this.sessions.save({
      ...this.newSession(user.id, '', client, authentication),
      browserTokenHash: hashSecretToken(cookieSecret),
    });
    return { session, cookieSecret };
  }

  /** The active browser session a cookie's secret names, with its user; null otherwise. */
  findBrowserSession(cookieSecret: string): Promise<Session | null> {
    return this.findActiveWhere({
      browserTokenHash: hashSecretToken(cookieSecret),
    });
  }

  /**
   * A browser session was used (the authorization endpoint found it): its idle window moves
   * forward as a refresh moves a token session's, never past its absolute expiry. Written at
   * most once a second per session.
   */
  async touchBrowserSession(
    session: Session,
    client: ClientInfo,
  ): Promise<void> {
    const now = Date.now();
    if (now - session.lastUsedAt.getTime() < 1000) return;
    await this.sessions.update(
      { id: session.id, endedAt: IsNull() },
      {
        lastUsedAt: new Date(now),
        idleExpiresAt: new Date(
          Math.min(now + this.idleTtlMs, session.absoluteExpiresAt.getTime()),
        ),
        ip: client.ip,
        userAgent: client.userAgent,
      },
    );
  }

  /** The session, with its user, while both are active; null otherwise. */
  findActive(sessionId: string): Promise<Session | null> {
    return this.findActiveWhere({ id: sessionId });
  }

  private async findActiveWhere(
    where: FindOptionsWhere<Session>,
  ): Promise<Session | null> {
    const session = await this.sessions.findOne({
      where,
      relations: { user: true },
    });
    if (!session || this.inactiveReason(session) !== null) return null;
    if (!isActiveAccount(session.user, this.requireVerifiedEmail)) return null;
    return session;
  }

  /**
   * The session (and first refresh token) of a redeemed authorization code: a child of the
   * browser session, with its sign-in (`amr`, `auth_time`), ending when it ends and no later
   * than it would have.
   */
  async startForClient(
    parent: Session,
    id: string,
    clientId: string,
    scope: string,
    client: ClientInfo,
    /** A public client's DPoP key, which its refresh tokens are bound to (RFC 9449 §5). */
    dpopJkt: string | null = null,
  ): Promise<{ session: Session; refreshToken: string }> {
    const session = this.newSession(parent.userId, scope, client, {
      amr: parent.amr.split(' ') as Authentication['amr'],
      time: parent.authTime,
      passkeyId: parent.passkeyId ?? undefined,
    });
    const absoluteExpiresAt = new Date(
      Math.min(
        session.absoluteExpiresAt.getTime(),
        parent.absoluteExpiresAt.getTime(),
      ),
    );
    const saved = await this.sessions.save({
      ...session,
      id,
      parentId: parent.id,
      clientId,
      dpopJkt,
      absoluteExpiresAt,
      idleExpiresAt: new Date(
        Math.min(session.idleExpiresAt.getTime(), absoluteExpiresAt.getTime()),
      ),
    });
    return { session: saved, refreshToken: await this.issueRefreshToken(id) };
  }

  /**
   * Ends the sessions a registered client holds: every user's when it is removed, one user's
   * when that user takes back their consent.
   */
  async endForClient(clientId: string, userId?: string): Promise<void> {
    await this.endWhere(
      userId === undefined ? { clientId } : { clientId, userId },
      userId === undefined ? 'client-removed' : 'consent-revoked',
    );
  }

  private newSession(
    userId: string,
    scope: string,
    client: ClientInfo,
    authentication: Authentication,
  ): Session {
    const now = Date.now();
    const absoluteExpiresAt = new Date(now + this.absoluteTtlMs);
    return this.sessions.create({
      userId,
      scope,
      amr: authentication.amr.join(' '),
      authTime: authentication.time,
      passkeyId: authentication.passkeyId ?? null,
      parentId: null,
      clientId: null,
      browserTokenHash: null,
      userAgent: client.userAgent,
      ip: client.ip,
      lastUsedAt: new Date(now),
      idleExpiresAt: new Date(
        Math.min(now + this.idleTtlMs, absoluteExpiresAt.getTime()),
      ),
      absoluteExpiresAt,
      endedAt: null,
      endReason: null,
    });
  }

  /**
   * Exchanges a refresh token for its successor; see the class comment. Every check, including
   * the requested scope (at most the session's, and only what the user's roles still grant),
   * happens before the token is consumed.
   */
  async rotate(
    refreshToken: string,
    client: ClientInfo,
    requestedScope: string | undefined,
    authenticateClient?: () => Promise<string>,
    /** The key of the request's DPoP proof, if it had one. */
    dpopJkt: string | null = null,
  ): Promise<RotationResult> {
    const tokenHash = hashSecretToken(refreshToken);
    const stored = await this.refreshTokens.findOneBy({ tokenHash });
    if (!stored) return { ok: false, reason: 'unknown' };
    const session = await this.sessions.findOne({
      where: { id: stored.sessionId },
      relations: { user: true },
    });
    if (!session) return { ok: false, reason: 'unknown' };
    // RFC 6749 §6: a token issued to a registered client is refreshed by that client only,
    // which authenticates first (a failure throws invalid_client).
    if (
      session.clientId !== null &&
      (!authenticateClient || (await authenticateClient()) !== session.clientId)
    )
      return { ok: false, reason: 'unknown' };
    // RFC 9449 §5: a bound refresh token is used only with a proof of its key; without one it
    // is not even looked at for reuse (whoever sends it does not hold the key).
    if (session.dpopJkt !== null && session.dpopJkt !== dpopJkt)
      return { ok: false, reason: 'dpop-key' };
    if (stored.rotatedAt !== null) {
      await this.endReused(session, client);
      return { ok: false, reason: 'reused' };
    }
    const problem = this.inactiveReason(session);
    if (problem) return { ok: false, reason: problem };
    const user = session.user;
    if (!isActiveAccount(user, this.requireVerifiedEmail))
      return { ok: false, reason: 'user-inactive' };
    const scopes = resolveScopes(
      intersectScopes(session.scope, grantedScopes(user.roles)),
      requestedScope,
    );
    if (!scopes) return { ok: false, reason: 'invalid-scope' };

    const now = Date.now();
    const { affected } = await this.refreshTokens.update(
      { tokenHash, rotatedAt: IsNull() },
      { rotatedAt: new Date(now) },
    );
    if (!affected) {
      // Another request rotated this token between our read and our write: the same token was
      // presented twice, which is exactly what reuse detection is for.
      await this.endReused(session, client);
      return { ok: false, reason: 'reused' };
    }
    const idleExpiresAt = new Date(
      Math.min(now + this.idleTtlMs, session.absoluteExpiresAt.getTime()),
    );
    await this.sessions.update(
      { id: session.id },
      {
        lastUsedAt: new Date(now),
        idleExpiresAt,
        ip: client.ip,
        userAgent: client.userAgent,
      },
    );
    return {
      ok: true,
      session: { ...session, lastUsedAt: new Date(now), idleExpiresAt },
      user,
      scopes,
      refreshToken: await this.issueRefreshToken(session.id),
    };
  }

  /** The session a refresh token belongs to (rotated or not), or null. */
  async findByRefreshToken(refreshToken: string): Promise<Session | null> {
    const stored = await this.refreshTokens.findOneBy({
      tokenHash: hashSecretToken(refreshToken),
    });
    return stored ? this.sessions.findOneBy({ id: stored.sessionId }) : null;
  }

  /**
   * The active session of a refresh token that may still be used (not rotated), or null: what
   * introspection reports. Unlike a refresh, presenting a rotated token here is no reuse: the
   * caller is a resource server, not the token's holder.
   */
  async findByUsableRefreshToken(
    refreshToken: string,
  ): Promise<Session | null> {
    const stored = await this.refreshTokens.findOneBy({
      tokenHash: hashSecretToken(refreshToken),
      rotatedAt: IsNull(),
    });
    if (!stored) return null;
    const session = await this.sessions.findOneBy({ id: stored.sessionId });
    return session && this.inactiveReason(session) === null ? session : null;
  }

  /**
   * Whether access tokens that name this session and this user may still be used: the session
   * belongs to that user, has not ended and has not reached its absolute expiry. (The idle
   * window bounds refresh tokens; an access token's own `exp` is far shorter.) Cached; see the
   * class comment.
   */
  async isActive(sessionId: string, userId: string): Promise<boolean> {
    if (!isUUID(sessionId)) return false;
    const state = await this.activeUntil.get(
      sessionId,
      async () => {
        const session = await this.sessions.findOneBy({ id: sessionId });
        return {
          userId: session?.userId ?? null,
          until:
            session && session.endedAt === null
              ? session.absoluteExpiresAt.getTime()
              : 0,
        };
      },
      this.bus.cacheable,
    );
    return state.userId === userId && state.until > Date.now();
  }

  /** The user's sessions that are still active, most recently used first. */
  async listActive(userId: string): Promise<Session[]> {
    const sessions = await this.sessions.find({
      where: { userId, endedAt: IsNull() },
      order: { lastUsedAt: 'DESC' },
    });
    return sessions.filter((session) => this.inactiveReason(session) === null);
  }

  /** Ends one of the user's active sessions; false when there is no such session. */
  async endOwn(
    userId: string,
    sessionId: string,
    reason: SessionEndReason,
  ): Promise<boolean> {
    const ended = await this.endWhere({ id: sessionId, userId }, reason);
    return ended.length > 0;
  }

  async endSession(sessionId: string, reason: SessionEndReason): Promise<void> {
    await this.endWhere({ id: sessionId }, reason);
  }

  /** Ends every session of a user. */
  async endAllForUser(userId: string, reason: SessionEndReason): Promise<void> {
    await this.endWhere({ userId }, reason);
  }

  /**
   * Ends the sessions a credential event ends (`CREDENTIAL_EVENTS`) inside its transaction; the
   * cached copies are dropped on every instance once it has committed.
   */
  async end(manager: EntityManager, context: EndingContext): Promise<Ended> {
    const { effects, subject } = context;
    const current = effects['current-session'];
    const others = effects['other-sessions'];
    const { userId, sessionId } = subject;
    const where: FindOptionsWhere<Session>[] = [];
    if (others === 'ends') {
      where.push(
        current === 'stays' && sessionId
          ? { userId, id: Not(sessionId) }
          : { userId },
      );
    } else if (current === 'ends' && sessionId) {
      where.push({ userId, id: sessionId });
    }
    if (current === 'its-own' || others === 'its-own') {
      if (subject.method?.kind !== 'passkey' || !subject.method.id)
        throw new Error('its-own sessions are those of a removed passkey');
      where.push({ userId, passkeyId: subject.method.id });
    }
    const ids: string[] = [];
    for (const condition of where)
      ids.push(...(await this.endWithin(manager, condition, context.event)));
    return {
      afterCommit: () => this.announceEnded(ids),
    };
  }

  private async endWhere(
    where: FindOptionsWhere<Session>,
    reason: SessionEndReason,
  ): Promise<string[]> {
    const ids = await this.endWithin(this.sessions.manager, where, reason);
    await this.announceEnded(ids);
    return ids;
  }

  /**
   * Ends the active sessions `where` names, and the sessions started from them for clients,
   * inside `manager`'s transaction; their ids. Every way a session ends comes here, so a
   * browser session never ends without its children.
   */
  private async endWithin(
    manager: EntityManager,
    where: FindOptionsWhere<Session>,
    reason: SessionEndReason,
  ): Promise<string[]> {
    const candidates = await manager.find(Session, {
      select: { id: true },
      where: { ...where, endedAt: IsNull() },
    });
    const ids = candidates.map((session) => session.id);
    if (ids.length === 0) return [];
    const children = await manager.find(Session, {
      select: { id: true },
      where: { parentId: In(ids), endedAt: IsNull() },
    });
    const named = new Set(ids);
    for (const child of children) if (!named.has(child.id)) ids.push(child.id);
    await manager.update(
      Session,
      { id: In(ids), endedAt: IsNull() },
      { endedAt: new Date(), endReason: reason },
    );
    return ids;
  }

  private async announceEnded(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.bus.publish({ kind: 'session', ids });
  }

  private async endReused(session: Session, client: ClientInfo): Promise<void> {
    this.logger.warn(
      `refresh token reuse detected: session ${session.id} of user ${session.userId} ended (ip ${client.ip})`,
    );
    await this.endSession(session.id, 'refresh-token-reuse');
  }

  private async issueRefreshToken(sessionId: string): Promise<string> {
    const token = newSecretToken();
    await this.refreshTokens.insert({
      tokenHash: hashSecretToken(token),
      sessionId,
      rotatedAt: null,
    });
    return token;
  }

  private inactiveReason(session: Session): 'ended' | 'expired' | null {
    if (session.endedAt !== null) return 'ended';
    const now = Date.now();
    if (
      session.idleExpiresAt.getTime() <= now ||
      session.absoluteExpiresAt.getTime() <= now
    ) {
      return 'expired';
    }
    return null;
  }
}
