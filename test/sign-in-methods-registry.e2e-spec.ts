import { appForSuite } from './support/suite.js';
import { SignInMethods } from '../src/credentials/sign-in-methods.service.js';
import { testDatabaseKind } from './support/database.js';

/**
 * Every table of the application, and why it does not sign a user in. A table that is neither
 * here nor registered with `SignInMethods` fails the test: a new way to sign in must register, so
 * that the pre-account-takeover rules, the "this was not me" link and the removal by a first
 * reset cover it (docs/security.md).
 */
const NOT_SIGN_IN_METHODS: Record<string, string> = {
  users:
    'the account itself; its password is replaced by a reset, never removed',
  sessions: 'signed-in state, ended through CredentialLifecycle',
  refresh_tokens: 'belong to a session, and end with it',
  mfa_tokens: 'a pending second step, ended through CredentialLifecycle',
  webauthn_challenges:
    'a passkey ceremony under way, ended through CredentialLifecycle',
  account_tokens: 'mailed links, ended through CredentialLifecycle',
  outbox_messages: 'mail waiting to go out',
  todos: 'content',
  posts: 'content',
  clients:
    'applications that send a user to sign in; they hold no credential of any user',
  authorization_codes:
    'redeemable only while the browser session they were issued in is active, so they end with it',
  consents:
    "a user's permission for a client, which lets nothing in without a sign-in",
  client_access_tokens:
    "a machine client's own tokens: they speak for the client, never for a user",
  used_jtis:
    'identifiers of proofs already used: they let nothing in, they keep out',
};

describe(`The registry of sign-in methods (${testDatabaseKind()})`, () => {
  const t = appForSuite();

  it('holds every table that can sign a user in: each table is registered or said not to sign in', () => {
    const registered = new Map<string, string>();
    for (const method of t.app.get(SignInMethods).registered)
      for (const entity of method.entities)
        registered.set(t.dataSource.getMetadata(entity).tableName, method.kind);
    expect([...registered.values()].sort()).toEqual(
      ['passkey', 'recovery-codes', 'totp'].sort(),
    );
    const unclassified = t.dataSource.entityMetadatas
      .map((metadata) => metadata.tableName)
      .filter(
        (table) =>
          !registered.has(table) && !Object.hasOwn(NOT_SIGN_IN_METHODS, table),
      );
    expect(
      unclassified,
      'register these with SignInMethods, or say in NOT_SIGN_IN_METHODS why they cannot sign anyone in',
    ).toEqual([]);
    // Nothing is said twice.
    expect(
      [...registered.keys()].filter((table) =>
        Object.hasOwn(NOT_SIGN_IN_METHODS, table),
      ),
    ).toEqual([]);
  });
});
