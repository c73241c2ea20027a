import {
  BadRequestException,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import {
  type EntityManager,
  type FindOptionsWhere,
  IsNull,
  LessThan,
  Repository,
} from 'typeorm';
import { hashSecretToken } from '../common/secret-token.js';
import { violatedUniqueIndex } from '../database/database-errors.js';
import { spendOnce } from '../database/spend-once.js';
import { lockUserRow } from '../database/user-row-lock.js';
import type { Settings } from '../config/settings.js';
import {
  CredentialLifecycle,
  type CredentialEnder,
  type Ended,
  type EndingContext,
} from '../credentials/credential-lifecycle.service.js';
import { SignInMethods } from '../credentials/sign-in-methods.service.js';
import type { AuthMethod } from '../sessions/authentication.js';
import { AccountService } from '../users/account.service.js';
import type { User } from '../users/user.entity.js';
import { Passkey } from './passkey.entity.js';
import { WebAuthnChallenge } from './webauthn-challenge.entity.js';
import { ProblemException } from '../problems/problem.exception.js';

const CHALLENGE_TTL_MS = 5 * 60_000;
const MAX_PASSKEYS_PER_USER = 20;
const tooManyPasskeys = () =>
  new BadRequestException(
    `At most ${MAX_PASSKEYS_PER_USER} passkeys per account: delete one first`,
  );

/** A passkey that has just signed someone in. */
export interface PasskeySignIn {
  userId: string;
  passkeyId: string;
  amr: AuthMethod[];
}

const label = (passkey: Pick<Passkey, 'name'>) =>
  `the passkey "${passkey.name}"`;

/**
 * Passkeys with @simplewebauthn/server: the registration and authentication ceremonies, and the
 * user's list. User verification is required in both, so a passkey is two factors by itself.
 * Challenges are single use (claimed by a conditional UPDATE when the response comes back) and
 * live in the database, so a ceremony may end on another instance than the one it began on.
 */
@Injectable()
export class PasskeysService implements CredentialEnder {
  readonly targets = ['webauthn-challenges'] as const;
  private readonly logger = new Logger('Security');
  private readonly rpId: string;
  private readonly rpName: string;
  private readonly origins: string[];

  constructor(
    @InjectRepository(Passkey) private readonly passkeys: Repository<Passkey>,
    @InjectRepository(WebAuthnChallenge)
    private readonly challenges: Repository<WebAuthnChallenge>,
    private readonly account: AccountService,
    private readonly signInMethods: SignInMethods,
    lifecycle: CredentialLifecycle,
    config: ConfigService<Settings, true>,
  ) {
    this.rpId = config.get('passkeys.WEBAUTHN_RP_ID', { infer: true });
    this.rpName = config.get('app.PRODUCT_NAME', { infer: true });
    this.origins = config
      .get('passkeys.WEBAUTHN_ORIGINS', { infer: true })
      .split(',');
    lifecycle.register(this);
    signInMethods.register({
      kind: 'passkey',
      entities: [Passkey],
      secondFactor: true,
      inUse: async (user) =>
        (await this.passkeys.countBy({ userId: user.id })) > 0,
      remove: (manager, userId, id) => this.removeWithin(manager, userId, id),
    });
  }

  /** Ends the user's passkey registrations under way, inside a credential event's transaction. */
  async end(manager: EntityManager, context: EndingContext): Promise<void> {
    await manager.update(
      WebAuthnChallenge,
      {
        userId: context.subject.userId,
        ceremony: 'registration',
        usedAt: IsNull(),
      },
      { usedAt: new Date() },
    );
  }

  async registrationOptions(
    user: User,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    this.signInMethods.assertMayAdd(user);
    const existing = await this.passkeys.findBy({ userId: user.id });
    if (existing.length >= MAX_PASSKEYS_PER_USER) throw tooManyPasskeys();
    const options = await generateRegistrationOptions({
      rpName: this.rpName,
      rpID: this.rpId,
      userName: user.username,
      userDisplayName: user.fullName ?? user.username,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      excludeCredentials: existing.map((passkey) => ({
        id: passkey.credentialId,
        transports: passkey.transports,
      })),
      authenticatorSelection: {
        residentKey: 'required',
        userVerification: 'required',
      },
    });
    await this.saveChallenge(options.challenge, 'registration', user.id);
    return options;
  }

  async register(
    user: User,
    response: RegistrationResponseJSON,
    name: string | undefined,
  ): Promise<Passkey> {
    let verification;
    try {
      verification = await verifyRegistrationResponse({
        response,
        expectedChallenge: (challenge) =>
          this.claimChallenge(challenge, 'registration', user.id),
        expectedOrigin: this.origins,
        expectedRPID: this.rpId,
        requireUserVerification: true,
      });
    } catch (error) {
      throw this.refused('registration', error);
    }
    if (!verification.verified) throw this.refused('registration');
    const { credential, credentialDeviceType } = verification.registrationInfo;
    const passkey = this.passkeys.create({
      userId: user.id,
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ?? [],
      deviceType: credentialDeviceType,
      name: name ?? `Passkey ${new Date().toISOString().slice(0, 10)}`,
      lastUsedAt: null,
    });
    return this.account.withMail(async (manager) => {
      // Checked again here, one registration per user at a time: two ceremonies begun at 19
      // must not both end in a passkey.
      await lockUserRow(manager, user.id);
      if (
        (await manager.countBy(Passkey, { userId: user.id })) >=
        MAX_PASSKEYS_PER_USER
      )
        throw tooManyPasskeys();
      const saved = await manager.save(passkey).catch((error: unknown) => {
        // The credential id's unique index (the table's only one) decides, also between two
        // registrations at once.
        if (violatedUniqueIndex(error) !== undefined)
          throw new BadRequestException('This passkey is already registered');
        throw error;
      });
      await this.signInMethods.added(
        manager,
        user,
        { kind: 'passkey', id: saved.id },
        saved.name,
      );
      return saved;
    });
  }

  /** Options for signing in with any discoverable passkey of this site. */
  async authenticationOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const options = await generateAuthenticationOptions({
      rpID: this.rpId,
      userVerification: 'required',
    });
    await this.saveChallenge(options.challenge, 'authentication', null);
    return options;
  }

  /**
   * The registered passkey an assertion claims to come from, or null. Only the credential id is
   * read (the body was only checked to be an object; @simplewebauthn/server checks the rest).
   * A passkey names its account, so the caller can count a refused assertion against it.
   */
  async claimedBy(
    response: AuthenticationResponseJSON,
  ): Promise<Passkey | null> {
    if (typeof response.id !== 'string' || response.id.length > 1024)
      return null;
    return this.passkeys.findOneBy({ credentialId: response.id });
  }

  /**
   * Who this assertion of `passkey` signs in, or null. A signature counter that does not move
   * forward means a cloned authenticator: refused and logged. The counter is advanced with a
   * conditional UPDATE, so two assertions carrying one counter value cannot both pass.
   */
  async verifyAssertion(
    passkey: Passkey,
    response: AuthenticationResponseJSON,
  ): Promise<PasskeySignIn | null> {
    // A discoverable credential names its user too (the user handle given at registration):
    // it must be the passkey's owner.
    const userHandle = response.response?.userHandle;
    if (
      userHandle !== undefined &&
      userHandle !== Buffer.from(passkey.userId).toString('base64url')
    )
      return null;
    let verification;
    try {
      verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge: (challenge) =>
          this.claimChallenge(challenge, 'authentication', null),
        expectedOrigin: this.origins,
        expectedRPID: this.rpId,
        requireUserVerification: true,
        credential: {
          id: passkey.credentialId,
          publicKey: Buffer.from(passkey.publicKey, 'base64url'),
          counter: passkey.counter,
          transports: passkey.transports,
        },
      });
    } catch (error) {
      this.logger.warn(
        `passkey sign-in refused: passkey ${passkey.id} of user ${passkey.userId}: ${describe(error)}`,
      );
      return null;
    }
    if (!verification.verified) return null;
    const { newCounter } = verification.authenticationInfo;
    const { affected } = await this.passkeys.update(
      { id: passkey.id, counter: passkey.counter },
      { counter: newCounter, lastUsedAt: new Date() },
    );
    if (!affected) return null;
    return {
      userId: passkey.userId,
      passkeyId: passkey.id,
      amr: [passkey.deviceType === 'multiDevice' ? 'swk' : 'hwk'],
    };
  }

  list(user: User): Promise<Passkey[]> {
    return this.passkeys.find({
      where: { userId: user.id },
      order: { createdAt: 'ASC' },
    });
  }

  /**
   * Deletes one of the user's passkeys, with what that ends (`passkey-removed`: the sessions
   * signed in with it, its removal link); another user's is as unknown as a missing one (404).
   */
  async remove(
    user: User,
    id: string,
    currentSessionId: string,
  ): Promise<void> {
    const notFound = () => new NotFoundException('Passkey not found');
    const passkey = await this.passkeys.findOneBy({ id, userId: user.id });
    if (!passkey) throw notFound();
    await this.account.applyEvent(
      'passkey-removed',
      user,
      { sessionId: currentSessionId, method: { kind: 'passkey', id } },
      { kind: 'passkey-removed', details: { detail: passkey.name } },
      notFound,
    );
  }

  /** Passkeys as a sign-in method: removes one (or all, with a null id) inside a transaction. */
  private async removeWithin(
    manager: EntityManager,
    userId: string,
    id: string | null,
  ): Promise<Ended> {
    const where: FindOptionsWhere<Passkey> =
      id === null ? { userId } : { userId, id };
    const passkeys = await manager.findBy(Passkey, where);
    if (passkeys.length > 0) await manager.delete(Passkey, where);
    return {
      removed: passkeys.map((passkey) => ({
        method: { kind: 'passkey', id: passkey.id },
        label: label(passkey),
      })),
    };
  }

  private async saveChallenge(
    challenge: string,
    ceremony: WebAuthnChallenge['ceremony'],
    userId: string | null,
  ): Promise<void> {
    const now = Date.now();
    await this.challenges.delete({ expiresAt: LessThan(new Date(now)) });
    await this.challenges.insert({
      challengeHash: hashSecretToken(challenge),
      ceremony,
      userId,
      expiresAt: new Date(now + CHALLENGE_TTL_MS),
      usedAt: null,
    });
  }

  /** Spends a challenge of this ceremony (and user): true for exactly one caller. */
  private async claimChallenge(
    challenge: string,
    ceremony: WebAuthnChallenge['ceremony'],
    userId: string | null,
  ): Promise<boolean> {
    return spendOnce(this.challenges.manager, WebAuthnChallenge, {
      challengeHash: hashSecretToken(challenge),
      ceremony,
      userId: userId ?? IsNull(),
    });
  }

  private refused(ceremony: string, error?: unknown): ProblemException {
    this.logger.warn(`passkey ${ceremony} refused: ${describe(error)}`);
    return new ProblemException('invalid_passkey_response', {
      detail:
        'The passkey response could not be verified (wrong or spent challenge, origin or signature); start again',
    });
  }
}

const describe = (error: unknown): string =>
  error instanceof Error ? error.message.slice(0, 200) : 'not verified';
