import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { randomInt } from 'node:crypto';
import { Repository } from 'typeorm';
import type { Role } from '../auth/scopes.js';
import { violatedUniqueIndex } from '../database/database-errors.js';
import type { UpdateProfileDto } from './dto/update-profile.dto.js';
import { PasswordHasher } from './password-hasher.service.js';
import { User } from './user.entity.js';

export interface NewUser {
  email: string;
  username: string;
  fullName: string | null;
  passwordHash: string;
  roles?: Role[];
}

/** The user store. Emails are lower-cased here, the one place users are written. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Inserts a user; a taken email or username is a 409 decided by the database's unique indexes. */
  async create(newUser: NewUser): Promise<User> {
    const user = this.users.create({
      ...newUser,
      email: newUser.email.toLowerCase(),
      roles: newUser.roles ?? ['user'],
      disabled: false,
    });
    try {
      return await this.users.save(user);
    } catch (error) {
      throw this.conflictFrom(error) ?? error;
    }
  }

  /** Null for anything that is not the id of an existing user (including a non-UUID). */
  async findById(id: string): Promise<User | null> {
    if (!isUUID(id)) return null;
    return this.users.findOneBy({ id });
  }

  async getById(id: string): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw new NotFoundException('User not found');
    return user;
  }

  /** Finds a user by email (anything with an `@`) or by username, case-insensitively. */
  findByLogin(identifier: string): Promise<User | null> {
    const lowered = identifier.toLowerCase();
    const query = this.users.createQueryBuilder('user');
    return identifier.includes('@')
      ? query.where('lower(user.email) = :lowered', { lowered }).getOne()
      : query.where('lower(user.username) = :lowered', { lowered }).getOne();
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

  /**
   * Applies a profile edit. Changing the email needs the current password: whoever holds the
   * email can reset the account, so a stolen access token alone must not be enough to move it.
   */
  async updateProfile(user: User, dto: UpdateProfileDto): Promise<User> {
    const { currentPassword, ...changes } = dto;
    if (changes.email !== undefined)
      changes.email = changes.email.toLowerCase();
    if (changes.email !== undefined && changes.email !== user.email) {
      if (currentPassword === undefined) {
        throw new BadRequestException(
          'currentPassword is required to change the email',
        );
      }
      if (!(await this.hasher.verify(user.passwordHash, currentPassword))) {
        throw new ForbiddenException('currentPassword is incorrect');
      }
    }
    if (Object.keys(changes).length > 0) {
      try {
        await this.users.update({ id: user.id }, changes);
      } catch (error) {
        throw this.conflictFrom(error) ?? error;
      }
    }
    return this.getById(user.id);
  }

  /**
   * Deletes the account and, through the foreign keys' ON DELETE CASCADE, its todos, posts and
   * sessions: one statement, so all of it goes or none of it does.
   */
  async deleteAccount(user: User, password: string): Promise<void> {
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      throw new ForbiddenException('password is incorrect');
    }
    await this.users.delete({ id: user.id });
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.users.update({ id: userId }, { passwordHash });
  }

  private conflictFrom(error: unknown): ConflictException | undefined {
    const index = violatedUniqueIndex(error);
    if (index === undefined) return undefined;
    return new ConflictException(
      index.includes('email')
        ? 'An account with this email already exists'
        : 'This username is taken',
    );
  }
}
