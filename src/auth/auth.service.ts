import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { UserDto } from '../users/dto/user.dto.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AccessTokenService } from './access-token.service.js';
import type { SignupDto } from './dto/signup.dto.js';
import type {
  SignupResponseDto,
  TokenResponseDto,
} from './dto/token-response.dto.js';
import { OAuthException } from './oauth.exception.js';
import { PasswordHasher } from '../users/password-hasher.service.js';
import { PasswordPolicy } from '../users/password-policy.js';
import type { ClientInfo } from './principal.js';
import { grantedScopes, type Scope } from './scopes.js';
import type { TokenRequest } from './token-request.js';

const MAX_PASSWORD_LENGTH = 128;

/** Signup, credential checks and the token grants. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly accessTokens: AccessTokenService,
  ) {}

  async signup(dto: SignupDto, client: ClientInfo): Promise<SignupResponseDto> {
    const email = dto.email.toLowerCase();
    const username = dto.username ?? (await this.users.suggestUsername(email));
    this.policy.assertAcceptable(dto.password, { username, email });
    const user = await this.users.create({
      email,
      username,
      fullName: dto.fullName ?? dto.fullname ?? null,
      passwordHash: await this.hasher.hash(dto.password),
    });
    const tokens = await this.startSession(user, undefined, client);
    return { ...tokens, user: UserDto.from(user) };
  }

  /**
   * The user whose username or email and password these are, or null. Unknown users, wrong
   * passwords and disabled accounts take the same time (a dummy hash is verified for unknown
   * users) and give the same null. A hash made with older settings is upgraded on success.
   */
  async validateCredentials(
    identifier: string,
    password: string,
  ): Promise<User | null> {
    if ([...password].length > MAX_PASSWORD_LENGTH) return null;
    const user = await this.users.findByLogin(identifier);
    if (!user) return this.hasher.verifyAgainstDummy(password).then(() => null);
    const matches = await this.hasher.verify(user.passwordHash, password);
    if (!matches || user.disabled) return null;
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.setPasswordHash(
        user.id,
        await this.hasher.hash(password),
      );
    }
    return user;
  }

  /** `POST /auth/login`, after `LocalAuthGuard` has verified the password. */
  login(user: User, client: ClientInfo): Promise<TokenResponseDto> {
    return this.startSession(user, undefined, client);
  }

  /** `POST /auth/token` (RFC 6749 §4.3 and §6). */
  async grant(
    request: TokenRequest,
    client: ClientInfo,
  ): Promise<TokenResponseDto> {
    switch (request.grantType) {
      case 'password': {
        const user = await this.validateCredentials(
          request.username,
          request.password,
        );
        if (!user) {
          throw new OAuthException(
            'invalid_grant',
            'Invalid username or password',
          );
        }
        return this.startSession(user, request.scope, client);
      }
      case 'refresh_token':
        throw new OAuthException(
          'unsupported_grant_type',
          'Supported grant types: password',
        );
    }
  }

  private async startSession(
    user: User,
    requestedScope: string | undefined,
    _client: ClientInfo,
  ): Promise<TokenResponseDto> {
    const scopes = this.resolveScopes(user, requestedScope);
    return Promise.resolve(this.tokenResponse(user, randomUUID(), scopes));
  }

  private tokenResponse(
    user: User,
    sessionId: string,
    scopes: Scope[],
  ): TokenResponseDto {
    return {
      access_token: this.accessTokens.issue(user.id, sessionId, scopes),
      token_type: 'bearer',
      expires_in: this.accessTokens.ttlSeconds,
      scope: scopes.join(' '),
    };
  }

  /**
   * RFC 6749 §3.3: no `scope` means every scope the user's roles grant; otherwise each requested
   * scope must be granted, or the whole request is `invalid_scope`.
   */
  private resolveScopes(user: User, requested: string | undefined): Scope[] {
    const granted = grantedScopes(user.roles);
    if (requested === undefined) return [...granted];
    const scopes = [...new Set(requested.split(' ').filter(Boolean))];
    if (
      scopes.length === 0 ||
      !scopes.every((scope) => granted.has(scope as Scope))
    ) {
      throw new OAuthException(
        'invalid_scope',
        `Requested scope is unknown or not granted; available: ${[...granted].join(' ')}`,
      );
    }
    return scopes as Scope[];
  }
}
