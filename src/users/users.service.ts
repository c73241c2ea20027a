import {
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { randomInt } from 'node:crypto';
import { type EntityManager, IsNull, Repository } from 'typeorm';
import { columnCodec, ListSelect } from '../database/raw-select.js';
import type { Role } from '../roles/roles.js';
import { ExpiringCache } from '../cache/expiring-cache.js';
import { InvalidationBus } from '../cache/invalidation-bus.js';
import { violatedUniqueIndex } from '../database/database-errors.js';
import { confusableSkeleton, isAscii } from './confusables.js';
import { normalizeIdentifier } from './identifiers.js';
import { PasswordHasher } from './password-hasher.service.js';
import { PasswordPolicy } from './password-policy.js';
import { User } from './user.entity.js';

export interface NewUser {
  email: string;
  username: string;
  fullName: string | null;
  passwordHash: string;
  roles?: Role[];
  emailVerifiedAt?: Date | null;
}

export interface Registration {
  email: string;
  password: string;
  username?: string;
  fullName?: string | null;
}

const EMAIL_TAKEN = 'An account with this email already exists';
const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 50_000;

/**
 * The user store. Emails are normalised here (`normalizeIdentifier`: NFKC, lower case), the one
 * place users are written, so look-alike spellings of one address are one account. Every write
 * announces itself on the InvalidationBus, so the cached copies that authenticated requests read
 * (`findByIdCached`) are dropped on every instance at once.
 */
@Injectable()
export class UsersService {
  private readonly listAll: ListSelect<Record<string, unknown>, User>;
  private readonly cache = new ExpiringCache<string, User | null>(
    CACHE_TTL_MS,
    CACHE_MAX_ENTRIES,
  );

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly bus: InvalidationBus,
  ) {
    bus.attach('user', this.cache);
    const codecs = (
      [
        'roles',
        'disabled',
        'mfaEnabled',
        'emailVerifiedAt',
        'createdAt',
        'updatedAt',
      ] as const
    ).map((property) => [property, columnCodec(users, property)] as const);
    this.listAll = new ListSelect<Record<string, unknown>, User>(
      users,
      {
        columns:
          '"id", "username", "email", "emailVerifiedAt", "fullName", "roles", "disabled", "mfaEnabled", "createdAt", "updatedAt"',
        from: '"users"',
        orderBy: '"createdAt" ASC, "id" ASC',
      },
      (raw) => {
        for (const [property, codec] of codecs)
          raw[property] = codec.fromDatabase(raw[property]);
        // No hash was read; the list's DTO never shows one.
        return raw as unknown as User;
      },
    );
  }

  /**
   * What an account made from signup data will be: the password policy, argon2id, a username
   * made from the email when none is given. Slow (hashing), so done before any transaction.
   */
  async prepare(
    registration: Registration,
    roles: Role[] = ['user'],
  ): Promise<NewUser> {
    const email = normalizeIdentifier(registration.email);
    const username =
      registration.username?.normalize('NFKC') ??
      (await this.suggestUsername(email));
    this.policy.assertAcceptable(registration.password, { username, email });
    return {
      email,
      username,
      fullName: registration.fullName ?? null,
      passwordHash: await this.hasher.hash(registration.password),
      roles,
    };
  }

  /**
   * Creates an account for `npm run user:create`: the operator vouches for the address, so it
   * counts as verified (an admin made there can sign in under EMAIL_VERIFICATION=required).
   */
  async register(
    registration: Registration,
    roles: Role[] = ['user'],
  ): Promise<User> {
    const newUser = await this.prepare(registration, roles);
    return this.insert(this.users.manager, {
      ...newUser,
      emailVerifiedAt: new Date(),
    });
  }

  /**
   * Inserts a user; a taken email (or one that looks like another account's) or username is a
   * 409 decided by the database's unique indexes. Two all-ASCII look-alikes signing up at the
   * same moment may both claim their shared skeleton: the one that loses tries once more without
   * the claim (a savepoint keeps the transaction usable).
   */
  async insert(manager: EntityManager, newUser: NewUser): Promise<User> {
    for (let attempt = 1; ; attempt++) {
      const skeleton = await this.skeletonFor(manager, newUser.email);
      const user = manager.create(User, {
        ...newUser,
        ...skeleton,
        emailVerifiedAt: newUser.emailVerifiedAt ?? null,
        roles: newUser.roles ?? ['user'],
        disabled: false,
      });
      try {
        return await manager.transaction((savepoint) => savepoint.save(user));
      } catch (error) {
        const index = violatedUniqueIndex(error);
        const lostClaimRace =
          attempt === 1 &&
          skeleton.emailSkeletonClaim !== null &&
          index !== undefined &&
          /skeleton/i.test(index);
        if (!lostClaimRace) throw this.conflictFrom(error) ?? error;
      }
    }
  }

  /**
   * The account whose address is `email` or looks like it (same UTS #39 skeleton, unless both
   * are all ASCII), other than `exceptUserId`; null when the address is free.
   */
  async findAddressHolder(
    email: string,
    exceptUserId?: string,
    manager: EntityManager = this.users.manager,
  ): Promise<User | null> {
    const address = normalizeIdentifier(email);
    const literal = await manager
      .createQueryBuilder(User, 'user')
      .where('lower(user.email) = :address', { address })
      .getOne();
    if (literal && literal.id !== exceptUserId) return literal;
    const holder = await manager.findOneBy(User, {
      emailSkeletonClaim: confusableSkeleton(address),
    });
    if (!holder || holder.id === exceptUserId) return null;
    return isAscii(address) && isAscii(holder.email) ? null : holder;
  }

  /**
   * The skeleton columns of an address (see `User.emailSkeletonClaim`), or 409 when another
   * account's address looks like it.
   */
  private async skeletonFor(
    manager: EntityManager,
    email: string,
    exceptUserId?: string,
  ): Promise<Pick<User, 'emailSkeleton' | 'emailSkeletonClaim'>> {
    const emailSkeleton = confusableSkeleton(email);
    const holder = await manager.findOneBy(User, {
      emailSkeletonClaim: emailSkeleton,
    });
    if (!holder || holder.id === exceptUserId)
      return { emailSkeleton, emailSkeletonClaim: emailSkeleton };
    if (isAscii(email) && isAscii(holder.email))
      return { emailSkeleton, emailSkeletonClaim: null };
    throw new ConflictException(EMAIL_TAKEN);
  }

  /**
   * Moves the account to `newEmail` inside the caller's transaction: 409 when another account
   * has it or a look-alike of it. If the old address held its look-alike group's claim, another
   * all-ASCII account of the group takes it over, so the group stays closed to non-ASCII copies.
   */
  async changeEmail(
    manager: EntityManager,
    user: User,
    newEmail: string,
    emailVerifiedAt: Date | null,
  ): Promise<void> {
    const current = await manager.findOneByOrFail(User, { id: user.id });
    const skeleton = await this.skeletonFor(manager, newEmail, user.id);
    await this.applyChanges(manager, user.id, {
      email: newEmail,
      emailVerifiedAt,
      ...skeleton,
    });
    await this.handOverClaim(manager, current, skeleton.emailSkeletonClaim);
  }

  /** Gives a look-alike group's claim that `left` held to another all-ASCII member, if any. */
  private async handOverClaim(
    manager: EntityManager,
    left: User,
    keptClaim: string | null,
  ): Promise<void> {
    const claim = left.emailSkeletonClaim;
    if (claim === null || claim === keptClaim) return;
    const heir = await manager.findOne(User, {
      select: { id: true },
      where: { emailSkeleton: claim, emailSkeletonClaim: IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    if (heir)
      await manager.update(
        User,
        { id: heir.id },
        { emailSkeletonClaim: claim },
      );
  }

  /** The default (non-transactional) manager, for writes that need no transaction. */
  get manager(): EntityManager {
    return this.users.manager;
  }

  /**
   * Null for anything that is not the id of an existing user (including a non-UUID). Pass the
   * manager of a transaction to read inside it.
   */
  async findById(
    id: string,
    manager: EntityManager = this.users.manager,
  ): Promise<User | null> {
    if (!isUUID(id)) return null;
    return manager.findOneBy(User, { id });
  }

  /** The account of a (normalised) email address. */
  findByEmail(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('user')
      .where('lower(user.email) = :lowered', {
        lowered: normalizeIdentifier(email),
      })
      .getOne();
  }

  /**
   * `findById` from memory when possible: this runs on every authenticated request. The
   * returned object is shared; do not modify it.
   */
  findByIdCached(id: string): Promise<User | null> {
    return this.cache.get(id, () => this.findById(id), this.bus.cacheable);
  }

  async getById(id: string): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw new NotFoundException('User not found');
    return user;
  }

  /**
   * Finds a user by email (anything with an `@`) or by username, compared as stored: normalised
   * (NFKC) and case-insensitively.
   */
  findByLogin(identifier: string): Promise<User | null> {
    if (identifier.includes('@')) return this.findByEmail(identifier);
    return this.users
      .createQueryBuilder('user')
      .where('lower(user.username) = :lowered', {
        lowered: normalizeIdentifier(identifier),
      })
      .getOne();
  }

  /**
   * A page of every user, oldest first (`IDX_users_created_id`), and how many there are; no
   * password hash is read.
   */
  list(limit: number, offset: number): Promise<[User[], number]> {
    return this.listAll.fetch([], { limit, offset });
  }

  /** The page's SQL and parameters; for the query-plan test. */
  pageStatement(limit: number, offset: number): [string, unknown[]] {
    return this.listAll.pageStatement([], { limit, offset });
  }

  /**
   * A free username made from the email's local part, for signups that do not choose one:
   * `Jane.Doe+x@example.com` becomes `Jane.Doe_x`, then `Jane.Doe_x-4821` if that is taken.
   */
  async suggestUsername(email: string): Promise<string> {
    const base = (email.split('@')[0] ?? '')
      .replace(/[^A-Za-z0-9_.-]/g, '_')
      .slice(0, 27)
      .padEnd(3, '_');
    let candidate = base;
    while (await this.findByLogin(candidate)) {
      candidate = `${base}-${randomInt(1000, 10000)}`;
    }
    return candidate;
  }

  /** Applies a profile edit other than the email (which `AccountService` confirms by mail). */
  updateProfile(
    user: User,
    changes: Pick<Partial<User>, 'fullName' | 'username'>,
  ): Promise<User> {
    return this.update(user.id, changes);
  }

  /**
   * Deletes the account's row (its todos, posts, sessions and credentials go with it through
   * the foreign keys' ON DELETE CASCADE) inside the caller's transaction, and hands its address's
   * look-alike claim on; false when it was already gone.
   */
  async remove(manager: EntityManager, id: string): Promise<boolean> {
    const current = await manager.findOneBy(User, { id });
    if (!current) return false;
    await manager.delete(User, { id });
    await this.handOverClaim(manager, current, null);
    return true;
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.applyChanges(this.users.manager, userId, { passwordHash });
    await this.announce(userId);
  }

  /**
   * Writes changes to a user inside the caller's transaction; a taken email is a 409. Call
   * `announce` once it has committed (announcing earlier would let another request cache the
   * old row again).
   */
  async applyChanges(
    manager: EntityManager,
    id: string,
    changes: Partial<User>,
  ): Promise<void> {
    try {
      await manager.update(User, { id }, changes);
    } catch (error) {
      throw this.conflictFrom(error) ?? error;
    }
  }

  /** Drops the cached copies of a changed user, on every instance. */
  announce(id: string): Promise<void> {
    return this.bus.publish({ kind: 'user', ids: [id] });
  }

  private async update(id: string, changes: Partial<User>): Promise<User> {
    if (Object.keys(changes).length > 0) {
      await this.applyChanges(this.users.manager, id, changes);
      await this.announce(id);
    }
    return this.getById(id);
  }

  private conflictFrom(error: unknown): ConflictException | undefined {
    const index = violatedUniqueIndex(error);
    if (index === undefined) return undefined;
    return new ConflictException(
      index.includes('email') ? EMAIL_TAKEN : 'This username is taken',
    );
  }
}
