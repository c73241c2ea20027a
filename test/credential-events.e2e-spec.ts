import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generate } from 'otplib';
import request from 'supertest';
import { hashSecretToken } from '../src/common/secret-token.js';
import {
  CREDENTIAL_EVENTS,
  CREDENTIAL_TARGETS,
  type CredentialEvent,
  type CredentialTarget,
  type Effect,
  type SignInMethodKind,
} from '../src/credentials/credential-events.js';
import { UsersService } from '../src/users/users.service.js';
import {
  bearer,
  makeAdmin,
  signUpVerified,
  type TestUser,
} from './support/api.js';
import { testDatabaseKind } from './support/database.js';
import { mailInOutbox } from './support/mailbox.js';
import { linkToken } from './support/smtp.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { SoftwareAuthenticator } from './support/webauthn.js';

const ORIGIN = 'https://app.example.com';
const RP_ID = 'app.example.com';
const NEW_PASSWORD = 'a brand new passphrase 2026';

/** The words of docs/security.md's table, as the code's effects. */
const WORDS: Record<string, Effect> = {
  ends: 'ends',
  stays: 'stays',
  'its own': 'its-own',
  '—': 'none',
};

/** docs/security.md, "What each credential event ends": the table users read. */
function documentedTable(): Record<string, Record<CredentialTarget, Effect>> {
  const text = readFileSync(
    resolve(import.meta.dirname, '../docs/security.md'),
    'utf8',
  );
  const section =
    text.split('## What each credential event ends')[1]?.split('\n## ')[0] ??
    '';
  const table: Record<string, Record<CredentialTarget, Effect>> = {};
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const event = /^`([a-z-]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!event) continue;
    const effects = cells.slice(2, 2 + CREDENTIAL_TARGETS.length);
    table[event] = Object.fromEntries(
      CREDENTIAL_TARGETS.map((target, index) => {
        const effect = WORDS[effects[index]];
        if (!effect)
          throw new Error(
            `${event}: "${effects[index]}" is not a known effect`,
          );
        return [target, effect];
      }),
    ) as Record<CredentialTarget, Effect>;
  }
  return table;
}

/** Everything a user has that a credential event may end, and the handles to observe it. */
interface Fixture {
  user: TestUser;
  /** TOTP on: its secret and unused recovery codes. */
  secret: string;
  recoveryCodes: string[];
  /** A session signed in with the password and a code: the "current" one of most events. */
  current: string;
  /** Another such session. */
  other: string;
  /** Two sessions signed in with the passkey `passkeyId`. */
  passkeySession: string;
  otherPasskeySession: string;
  passkeyId: string;
  authenticator: SoftwareAuthenticator;
  links: {
    verification: string;
    reset: string;
    emailChange: string;
    removeTotp: string;
    removeCodes: string;
    removePasskey: string;
  };
}

/**
 * Section 2 of issue 23: one place decides what each credential event ends, docs/security.md
 * states it as a table, and every cell is checked here against the running server. Each row gets
 * a user who has everything an event can end (sessions signed in three ways, a pending second
 * step, a passkey registration under way, a mailed link of each kind, TOTP, recovery codes and a
 * passkey), then the event happens through the API, then each column is looked at.
 */
describe(`What each credential event ends (${testDatabaseKind()})`, () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp({
      WEBAUTHN_RP_ID: RP_ID,
      WEBAUTHN_ORIGINS: ORIGIN,
    });
    admin = await makeAdmin(t, await signUpVerified(t));
  });
  afterAll(() => t.close());

  it('the table in docs/security.md is the table the code applies', () => {
    expect(documentedTable()).toEqual(CREDENTIAL_EVENTS);
  });

  const post = (path: string, token?: string) => {
    const r = request(t.server).post(path);
    return token ? r.set(bearer(token)) : r;
  };

  const me = (token: string) =>
    request(t.server).get('/users/me').set(bearer(token));

  async function passkeySignIn(authenticator: SoftwareAuthenticator) {
    const options = (await post('/auth/passkeys/login/options').expect(200))
      .body;
    return (
      await post('/auth/passkeys/login/verify')
        .send({ response: authenticator.authenticate(options) })
        .expect(200)
    ).body.access_token as string;
  }

  async function mfaLogin(user: TestUser, proof: Record<string, string>) {
    const login = await post('/auth/login')
      .send({ username: user.username, password: user.password })
      .expect(401);
    return (
      await post('/auth/mfa/verify')
        .send({ mfa_token: login.body.mfa_token, ...proof })
        .expect(200)
    ).body.access_token as string;
  }

  /** Drops the server's cached copy of a user after a change made directly in the database. */
  const announce = (userId: string) => t.app.get(UsersService).announce(userId);

  const setVerified = async (userId: string, verified: boolean) => {
    await t.dataSource
      .createQueryBuilder()
      .update('users')
      .set({ emailVerifiedAt: verified ? new Date() : null })
      .where('id = :userId', { userId })
      .execute();
    await announce(userId);
  };

  async function fixture(verified: boolean): Promise<Fixture> {
    const signedUp = await signUpVerified(t);
    const seen = new Set<string>();
    const mail = (address: string, subject: RegExp) =>
      mailInOutbox(t.mailDirectory, address, subject, seen);
    // The signup's verification mail, spent already: not one of the links looked at below.
    await mail(signedUp.email, /Confirm your email address/);
    // TOTP, from the signup's password session.
    const begin = await post('/auth/mfa/totp', signedUp.accessToken)
      .send({ password: signedUp.password })
      .expect(201);
    const confirm = await post('/auth/mfa/totp/confirm', signedUp.accessToken)
      .send({ code: await generate({ secret: begin.body.secret }) })
      .expect(200);
    const recoveryCodes = confirm.body.recoveryCodes as string[];
    const removeTotp = linkToken(
      await mail(signedUp.email, /Two-step sign-in is on/),
    );
    const first = await mfaLogin(signedUp, {
      recovery_code: recoveryCodes[0],
    });
    // A new set of recovery codes, announced with a removal link of its own.
    const replaced = await post('/auth/mfa/recovery-codes', first)
      .send({ password: signedUp.password })
      .expect(200);
    const codes = replaced.body.recoveryCodes as string[];
    const removeCodes = linkToken(
      await mail(signedUp.email, /New recovery codes/),
    );
    const current = await mfaLogin(signedUp, { recovery_code: codes[0] });
    const other = await mfaLogin(signedUp, { recovery_code: codes[1] });
    // A passkey, added from the current session, and two sessions signed in with it.
    const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
    const options = (
      await post('/auth/passkeys/register/options', current).expect(200)
    ).body;
    const passkey = await post('/auth/passkeys/register/verify', current)
      .send({ response: authenticator.register(options) })
      .expect(201);
    const removePasskey = linkToken(
      await mail(signedUp.email, /A passkey was added/),
    );
    const passkeySession = await passkeySignIn(authenticator);
    const otherPasskeySession = await passkeySignIn(authenticator);
    // A pending second step, and a passkey registration under way.
    await post('/auth/login')
      .send({ username: signedUp.username, password: signedUp.password })
      .expect(401);
    await post('/auth/passkeys/register/options', current).expect(200);
    // A mailed link of each kind.
    await post('/auth/password/forgot').send({ email: signedUp.email });
    const reset = linkToken(await mail(signedUp.email, /Reset your/));
    const newEmail = `moved-${signedUp.email}`;
    await request(t.server)
      .patch('/users/me')
      .set(bearer(current))
      .send({ email: newEmail, currentPassword: signedUp.password })
      .expect(200);
    const emailChange = linkToken(await mail(newEmail, /Confirm your new/));
    // A verification link needs an unproven address: the account is taken back to one (as an
    // account from before these rules could be), and, unless the row needs it unproven, forward.
    await setVerified(signedUp.id, false);
    await post('/auth/email/verify/resend', current).expect(202);
    const verification = linkToken(
      await mail(signedUp.email, /Confirm your email address/),
    );
    if (verified) await setVerified(signedUp.id, true);
    return {
      user: signedUp,
      secret: begin.body.secret,
      recoveryCodes: codes.slice(2),
      current,
      other,
      passkeySession,
      otherPasskeySession,
      passkeyId: passkey.body.id,
      authenticator,
      links: {
        verification,
        reset,
        emailChange,
        removeTotp,
        removeCodes,
        removePasskey,
      },
    };
  }

  /** Runs the event through the API; the session it is made from, if any. */
  const events: Record<
    CredentialEvent,
    { verified: boolean; run: (f: Fixture) => Promise<string | null> }
  > = {
    'password-changed': {
      verified: true,
      run: async (f) => {
        await post('/users/me/password', f.current)
          .send({ currentPassword: f.user.password, newPassword: NEW_PASSWORD })
          .expect(204);
        return f.current;
      },
    },
    'password-reset': {
      verified: true,
      run: async (f) => {
        await post('/auth/password/reset')
          .send({ token: f.links.reset, newPassword: NEW_PASSWORD })
          .expect(204);
        return null;
      },
    },
    'password-reset-first-proof': {
      verified: false,
      run: async (f) => {
        await post('/auth/password/reset')
          .send({ token: f.links.reset, newPassword: NEW_PASSWORD })
          .expect(204);
        return null;
      },
    },
    'email-verified': {
      verified: false,
      run: async (f) => {
        await post('/auth/email/verify')
          .send({ token: f.links.verification, password: f.user.password })
          .expect(204);
        return null;
      },
    },
    'email-change-confirmed': {
      verified: true,
      run: async (f) => {
        await post('/auth/email/change/confirm')
          .send({ token: f.links.emailChange })
          .expect(200);
        // Under EMAIL_VERIFICATION=off the change is made from the session that asked for it.
        return f.current;
      },
    },
    'totp-turned-off': {
      verified: true,
      run: async (f) => {
        await request(t.server)
          .delete('/auth/mfa/totp')
          .set(bearer(f.current))
          .send({
            password: f.user.password,
            recovery_code: f.recoveryCodes[0],
          })
          .expect(204);
        return f.current;
      },
    },
    'passkey-removed': {
      verified: true,
      run: async (f) => {
        await request(t.server)
          .delete(`/auth/passkeys/${f.passkeyId}`)
          .set(bearer(f.passkeySession))
          .expect(204);
        return f.passkeySession;
      },
    },
    'recovery-codes-replaced': {
      verified: true,
      run: async (f) => {
        await post('/auth/mfa/recovery-codes', f.current)
          .send({ password: f.user.password })
          .expect(200);
        return f.current;
      },
    },
    'removed-by-owner-link': {
      verified: true,
      run: async (f) => {
        await post('/auth/sign-in-methods/remove')
          .send({ token: f.links.removePasskey })
          .expect(204);
        return null;
      },
    },
    'account-disabled': {
      verified: true,
      run: async (f) => {
        await request(t.server)
          .patch(`/users/${f.user.id}`)
          .set(bearer(admin.accessToken))
          .send({ disabled: true })
          .expect(200);
        return null;
      },
    },
    'account-deleted': {
      verified: true,
      run: async (f) => {
        await request(t.server)
          .delete('/users/me')
          .set(bearer(f.current))
          .send({ password: f.user.password })
          .expect(204);
        return f.current;
      },
    },
    'roles-changed-by-admin': {
      verified: true,
      run: async (f) => {
        await request(t.server)
          .patch(`/users/${f.user.id}`)
          .set(bearer(admin.accessToken))
          .send({ roles: ['user', 'admin'] })
          .expect(200);
        return null;
      },
    },
    'second-factor-reset-by-admin': {
      verified: true,
      run: async (f) => {
        await request(t.server)
          .delete(`/users/${f.user.id}/mfa`)
          .set(bearer(admin.accessToken))
          .expect(204);
        return null;
      },
    },
    'sessions-ended-by-admin': {
      verified: true,
      run: async (f) => {
        await request(t.server)
          .delete(`/users/${f.user.id}/sessions`)
          .set(bearer(admin.accessToken))
          .expect(204);
        return null;
      },
    },
  };

  const live = async (token: string) => (await me(token)).status === 200;

  /** Rows of a query written with PostgreSQL's `$n` placeholders, on either database. */
  const rows = <T>(text: string, parameters: unknown[]): Promise<T[]> =>
    t.dataSource.query<T[]>(
      t.dataSource.options.type === 'postgres'
        ? text
        : text.replace(/\$\d+/g, '?'),
      parameters,
    );

  /** Whether a mailed link (by its token) can still be used: unspent and its row still there. */
  async function linkLive(token: string): Promise<boolean> {
    const found = await rows<{ usedAt: unknown }>(
      'SELECT "usedAt" FROM "account_tokens" WHERE "tokenHash" = $1',
      [hashSecretToken(token)],
    );
    return found.length === 1 && found[0].usedAt === null;
  }

  /** Whether an unspent row of `table` is left for the user (and `where`). */
  async function pending(
    table: 'mfa_tokens' | 'webauthn_challenges',
    userId: string,
    ceremony?: string,
  ): Promise<boolean> {
    const [{ n }] = await rows<{ n: string | number }>(
      `SELECT COUNT(*) AS "n" FROM "${table}" WHERE "userId" = $1 AND "usedAt" IS NULL${ceremony ? ' AND "ceremony" = $2' : ''}`,
      ceremony ? [userId, ceremony] : [userId],
    );
    return Number(n) > 0;
  }

  /** Which of the fixture's sign-in methods are still there. */
  async function methodsLeft(f: Fixture): Promise<Set<SignInMethodKind>> {
    const left = new Set<SignInMethodKind>();
    const passkeys = await rows<unknown>(
      'SELECT "id" FROM "passkeys" WHERE "id" = $1',
      [f.passkeyId],
    );
    if (passkeys.length > 0) left.add('passkey');
    const factors = await rows<{ enabledAt: unknown }>(
      'SELECT "enabledAt" FROM "totp_factors" WHERE "userId" = $1',
      [f.user.id],
    );
    if (factors.some((factor) => factor.enabledAt !== null)) left.add('totp');
    const codes = await rows<{ codeHash: string }>(
      'SELECT "codeHash" FROM "recovery_codes" WHERE "userId" = $1 AND "usedAt" IS NULL',
      [f.user.id],
    );
    const fixtureCodes = new Set(
      f.recoveryCodes.map((code) => hashSecretToken(code.replace('-', ''))),
    );
    if (codes.some((code) => fixtureCodes.has(code.codeHash)))
      left.add('recovery-codes');
    return left;
  }

  /** `stays` when every one is still there, `ends` when none is, else `its-own`. */
  const effectOf = (present: boolean[]): Effect =>
    present.every(Boolean)
      ? 'stays'
      : present.every((item) => !item)
        ? 'ends'
        : 'its-own';

  /** What an "its own" removes: the method the event is about (TOTP takes its codes along). */
  const ITS_OWN: Partial<Record<CredentialEvent, SignInMethodKind[]>> = {
    'totp-turned-off': ['totp', 'recovery-codes'],
    'second-factor-reset-by-admin': ['totp', 'recovery-codes'],
    'passkey-removed': ['passkey'],
    'removed-by-owner-link': ['passkey'],
    'recovery-codes-replaced': ['recovery-codes'],
  };

  it.each(Object.keys(CREDENTIAL_EVENTS) as CredentialEvent[])(
    '%s ends what the table says, and nothing else',
    async (event) => {
      const expected = documentedTable()[event];
      const { verified, run } = events[event];
      const f = await fixture(verified);
      const userId = f.user.id;
      const current = await run(f);
      const observed = {} as Record<CredentialTarget, Effect>;

      // Sessions: the one the event came from, and the others, each signed in with the
      // password and a code, or with the passkey.
      const sessions = [
        f.current,
        f.other,
        f.passkeySession,
        f.otherPasskeySession,
      ];
      const withPasskey = new Set([f.passkeySession, f.otherPasskeySession]);
      const alive = new Map<string, boolean>();
      for (const token of sessions) alive.set(token, await live(token));
      observed['current-session'] =
        current === null
          ? 'none'
          : alive.get(current)
            ? 'stays'
            : withPasskey.has(current)
              ? 'its-own'
              : 'ends';
      const others = sessions.filter((token) => token !== current);
      observed['other-sessions'] = effectOf(
        others.map((token) => alive.get(token) ?? false),
      );
      if (observed['other-sessions'] === 'its-own')
        // The ones that ended are exactly those signed in with the removed passkey.
        expect(
          others
            .filter((token) => !alive.get(token))
            .every((token) => withPasskey.has(token)),
        ).toBe(true);

      observed['mfa-tokens'] = (await pending('mfa_tokens', userId))
        ? 'stays'
        : 'ends';
      observed['webauthn-challenges'] = (await pending(
        'webauthn_challenges',
        userId,
        'registration',
      ))
        ? 'stays'
        : 'ends';

      // A link the event itself uses is spent by that use, whatever the table says of the kind.
      const usedByEvent: Partial<Record<CredentialTarget, string>> = {
        ...(event.startsWith('password-reset')
          ? { 'password-reset-links': f.links.reset }
          : {}),
        ...(event === 'email-verified'
          ? { 'email-verification-links': f.links.verification }
          : {}),
        ...(event === 'email-change-confirmed'
          ? { 'email-change-links': f.links.emailChange }
          : {}),
      };
      for (const [target, token] of [
        ['email-verification-links', f.links.verification],
        ['password-reset-links', f.links.reset],
        ['email-change-links', f.links.emailChange],
      ] as const) {
        if (usedByEvent[target]) {
          // The only link of its kind (a new one retires the older), spent by the event.
          expect(await linkLive(token)).toBe(false);
          observed[target] = expected[target];
        } else {
          observed[target] = (await linkLive(token)) ? 'stays' : 'ends';
        }
      }

      const removalLinks: [SignInMethodKind, string][] = [
        ['totp', f.links.removeTotp],
        ['recovery-codes', f.links.removeCodes],
        ['passkey', f.links.removePasskey],
      ];
      const removalLive = await Promise.all(
        removalLinks.map(([, token]) => linkLive(token)),
      );
      observed['sign-in-method-removal-links'] = effectOf(removalLive);
      if (observed['sign-in-method-removal-links'] === 'its-own')
        expect(
          removalLinks
            .filter((_, index) => !removalLive[index])
            .map(([kind]) => kind)
            .sort(),
        ).toEqual([...(ITS_OWN[event] ?? [])].sort());

      const left = await methodsLeft(f);
      const kinds: SignInMethodKind[] = ['passkey', 'totp', 'recovery-codes'];
      observed['sign-in-methods'] = effectOf(
        kinds.map((kind) => left.has(kind)),
      );
      if (observed['sign-in-methods'] === 'its-own')
        expect(kinds.filter((kind) => !left.has(kind)).sort()).toEqual(
          [...(ITS_OWN[event] ?? [])].sort(),
        );

      expect(observed).toEqual(expected);
    },
  );
});
