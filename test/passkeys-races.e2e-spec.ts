import request from 'supertest';
import { appForSuite } from './support/suite.js';
import { bearer, signUpVerified, type TestUser } from './support/api.js';
import { testDatabaseKind } from './support/database.js';
import {
  type CeremonyTweaks,
  SoftwareAuthenticator,
} from './support/webauthn.js';

const ORIGIN = 'https://app.example.com';
const RP_ID = 'app.example.com';

/**
 * Passkey ceremonies a browser will not perform, with an authenticator in Node: bursts, one
 * credential offered twice, flags and origins bent. The everyday flow is in
 * test/browser/passkeys.e2e-spec.ts, against Chromium's virtual authenticator.
 */
describe(`Passkeys under bursts and bent ceremonies (${testDatabaseKind()})`, () => {
  const t = appForSuite({
    WEBAUTHN_RP_ID: RP_ID,
    WEBAUTHN_ORIGINS: ORIGIN,
    AUTH_RATE_LIMIT: '0',
  });

  const registrationOptions = async (user: TestUser) =>
    (
      await request(t.server)
        .post('/auth/passkeys/register/options')
        .set(bearer(user.accessToken))
        .expect(200)
    ).body;

  const finishRegistration = (user: TestUser, response: unknown) =>
    request(t.server)
      .post('/auth/passkeys/register/verify')
      .set(bearer(user.accessToken))
      .send({ response });

  /** A whole registration ceremony, answered with `status`. */
  async function addPasskey(
    user: TestUser,
    authenticator: SoftwareAuthenticator,
    status = 201,
    tweaks?: CeremonyTweaks,
  ) {
    return finishRegistration(
      user,
      authenticator.register(await registrationOptions(user), tweaks),
    ).expect(status);
  }

  /** A whole sign-in ceremony with the authenticator's last passkey, answered with `status`. */
  async function signIn(
    authenticator: SoftwareAuthenticator,
    status = 200,
    tweaks?: CeremonyTweaks,
  ) {
    const options = (
      await request(t.server).post('/auth/passkeys/login/options').expect(200)
    ).body;
    return request(t.server)
      .post('/auth/passkeys/login/verify')
      .send({
        response: authenticator.authenticate(options, undefined, tweaks),
      })
      .expect(status);
  }

  /** The user, with the tokens of a sign-in with the authenticator's last passkey. */
  async function withPasskeySession(
    user: TestUser,
    authenticator: SoftwareAuthenticator,
  ): Promise<TestUser> {
    const tokens = (await signIn(authenticator)).body;
    return { ...user, accessToken: tokens.access_token };
  }

  it('registers and signs in (the software authenticator is sound)', async () => {
    const user = await signUpVerified(t);
    const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
    const added = await addPasskey(user, authenticator);
    expect(added.body).toMatchObject({ deviceType: 'singleDevice' });
    const tokens = await signIn(authenticator);
    const me = await request(t.server)
      .get('/users/me')
      .set(bearer(tokens.body.access_token))
      .expect(200);
    expect(me.body.id).toBe(user.id);
  });

  it('two ceremonies begun at 19 passkeys and finished at once add one: the cap holds under a burst', async () => {
    const signedUp = await signUpVerified(t);
    const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
    await addPasskey(signedUp, authenticator);
    // With a passkey on the account, adding more needs a sign-in with one.
    const user = await withPasskeySession(signedUp, authenticator);
    for (let i = 1; i < 19; i++) await addPasskey(user, authenticator);
    const responses = [
      authenticator.register(await registrationOptions(user)),
      authenticator.register(await registrationOptions(user)),
    ];
    const answers = await Promise.all(
      responses.map((response) => finishRegistration(user, response)),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 400]);
    expect(
      answers.find((answer) => answer.status === 400)?.body.detail,
    ).toMatch(/At most 20 passkeys/);
    const list = await request(t.server)
      .get('/auth/passkeys')
      .set(bearer(user.accessToken))
      .expect(200);
    expect(list.body).toHaveLength(20);
    await request(t.server)
      .post('/auth/passkeys/register/options')
      .set(bearer(user.accessToken))
      .expect(400);
  });

  it('one credential offered by two accounts at once is registered once; the other gets 400, never a 500', async () => {
    const [alice, mallory] = [await signUpVerified(t), await signUpVerified(t)];
    const credentialId = Buffer.from('one credential, two accounts');
    const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
    const responses = [
      authenticator.register(await registrationOptions(alice), {
        credentialId,
      }),
      authenticator.register(await registrationOptions(mallory), {
        credentialId,
      }),
    ];
    const answers = await Promise.all([
      finishRegistration(alice, responses[0]),
      finishRegistration(mallory, responses[1]),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 400]);
    expect(answers.find((answer) => answer.status === 400)?.body.detail).toBe(
      'This passkey is already registered',
    );
    // Offered again later by the account that lost (which has no passkey, so its password
    // session may add one), the same answer.
    const loser = answers[0].status === 400 ? alice : mallory;
    await addPasskey(loser, authenticator, 400, { credentialId });
  });

  it.each<[string, CeremonyTweaks]>([
    ['without user verification', { userVerified: false }],
    ['from another origin', { origin: 'https://evil.example' }],
    ['for another RP ID', { rpId: 'evil.example' }],
  ])('refuses a registration %s', async (_, tweaks) => {
    const user = await signUpVerified(t);
    const refused = await addPasskey(
      user,
      new SoftwareAuthenticator(ORIGIN, RP_ID),
      400,
      tweaks,
    );
    expect(refused.body.error).toBe('invalid_passkey_response');
  });

  it.each<[string, CeremonyTweaks]>([
    ['without user verification', { userVerified: false }],
    ['from another origin', { origin: 'https://evil.example' }],
    ['for another RP ID', { rpId: 'evil.example' }],
  ])(
    'refuses a sign-in %s, and takes the right one after it',
    async (_, tweaks) => {
      const user = await signUpVerified(t);
      const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
      await addPasskey(user, authenticator);
      const refused = await signIn(authenticator, 401, tweaks);
      expect(refused.body.error).toBe('passkey_sign_in_failed');
      await signIn(authenticator);
    },
  );

  it('refuses a name that would read differently in the notice, and keeps the ceremony usable', async () => {
    const user = await signUpVerified(t);
    const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
    const response = authenticator.register(await registrationOptions(user));
    for (const name of [
      'Laptop\u202Eexe.txt',
      'Laptop\nAdmin approved',
      'x'.repeat(65),
    ]) {
      const refused = await request(t.server)
        .post('/auth/passkeys/register/verify')
        .set(bearer(user.accessToken))
        .send({ response, name })
        .expect(400);
      expect(JSON.stringify(refused.body.detail)).toMatch(/name/);
    }
    const added = await request(t.server)
      .post('/auth/passkeys/register/verify')
      .set(bearer(user.accessToken))
      .send({ response, name: 'Téléphone de Zoë' })
      .expect(201);
    expect(added.body.name).toBe('Téléphone de Zoë');
  });

  it('one assertion sent many times at once signs in once', async () => {
    const user = await signUpVerified(t);
    const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
    await addPasskey(user, authenticator);
    const options = (
      await request(t.server).post('/auth/passkeys/login/options').expect(200)
    ).body;
    const assertion = authenticator.authenticate(options);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        request(t.server)
          .post('/auth/passkeys/login/verify')
          .send({ response: assertion }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([
      200, 401, 401, 401, 401, 401, 401, 401,
    ]);
  });
});
