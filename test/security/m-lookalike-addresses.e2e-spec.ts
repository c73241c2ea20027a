import { appForSuite } from '../support/suite.js';
import { randomInt } from 'node:crypto';
import request from 'supertest';
import { UsersService } from '../../src/users/users.service.js';
import {
  bearer,
  expectError,
  PASSWORD,
  signUp,
  signUpVerified,
} from '../support/api.js';
import { testDatabaseKind } from '../support/database.js';
import { mailInOutbox } from '../support/mailbox.js';
import { linkToken } from '../support/smtp.js';
import { type TestApp } from '../support/test-app.js';

/** Latin letters written with their Cyrillic look-alikes (UTS #39 maps each to the Latin). */
const CYRILLIC: Record<string, string> = {
  a: '\u0430',
  c: '\u0441',
  e: '\u0435',
  o: '\u043e',
  p: '\u0440',
  r: '\u0433',
  x: '\u0445',
  y: '\u0443',
  i: '\u0456',
  l: '\u04cf',
};
/** The same with Greek letters. */
const GREEK: Record<string, string> = {
  a: '\u03b1',
  i: '\u03b9',
  o: '\u03bf',
  p: '\u03c1',
  u: '\u03c5',
  v: '\u03bd',
  y: '\u03b3',
};
const inScript = (script: Record<string, string>, latin: string) =>
  [...latin].map((letter) => script[letter] ?? letter).join('');
/** Mathematical bold small letters (U+1D41A…), which NFKC folds back to ASCII. */
const mathBold = (latin: string) =>
  [...latin]
    .map((letter) =>
      /[a-z]/.test(letter)
        ? String.fromCodePoint(0x1d41a + letter.charCodeAt(0) - 0x61)
        : letter,
    )
    .join('');
const fullwidth = (latin: string) =>
  latin.replace(/[a-z@.]/g, (char) =>
    String.fromCodePoint(char.codePointAt(0)! + 0xfee0),
  );

/** Digits keep test addresses apart: they are the same in every script. */
const tag = () => String(randomInt(1_000_000));
const signup = (t: TestApp, email: string) =>
  request(t.server)
    .post('/auth/signup')
    .send({ email, password: 'a perfectly fine passphrase' });

/**
 * Section 6 of issue 23: addresses are compared by their UTS #39 confusable skeleton, so an
 * address written wholly in another script that reads as an existing one is refused, on every
 * write of an address, even when two such signups race. Two all-ASCII addresses never collide
 * this way (the table maps `rn` to `m`, `1` to `l`).
 */
describe(`Look-alike addresses (${testDatabaseKind()})`, () => {
  const t = appForSuite();

  it.each([
    ['whole-script Cyrillic', (local: string) => inScript(CYRILLIC, local)],
    ['mathematical bold', mathBold],
    ['fullwidth', (local: string) => fullwidth(local)],
  ])(
    'refuses a %s copy of an existing address (409), and keeps the original working',
    async (_, copy) => {
      const local = `peace${tag()}`;
      const original = `${local}@example.com`;
      await signup(t, original).expect(201);
      expectError(
        await signup(t, `${copy(local)}@example.com`),
        409,
        'Conflict',
      );
      await request(t.server)
        .post('/auth/login')
        .send({ username: original, password: 'a perfectly fine passphrase' })
        .expect(200);
    },
  );

  it('refuses a whole-script Greek copy (409)', async () => {
    const local = `pupa${tag()}`;
    await signup(t, `${local}@example.com`).expect(201);
    expectError(
      await signup(t, `${inScript(GREEK, local)}@example.com`),
      409,
      'Conflict',
    );
  });

  it('refuses a copy that mixes scripts in one part (400), and one whose original came second (409)', async () => {
    const local = `copy${tag()}`;
    // One Cyrillic letter among Latin ones: refused for the mix, whatever else exists.
    expectError(
      await signup(t, `${CYRILLIC.c}opy${local.slice(4)}@example.com`),
      400,
      'validation_failed',
    );
    // The Cyrillic copy first: then the Latin original is the look-alike.
    await signup(t, `${inScript(CYRILLIC, local)}@example.com`).expect(201);
    expectError(await signup(t, `${local}@example.com`), 409, 'Conflict');
  });

  it('lets all-ASCII look-alikes coexist, keeps their group closed to other scripts, also after the first one leaves', async () => {
    const suffix = tag();
    const first = await signUpVerified(t, {
      email: `alex${suffix}@example.com`,
    });
    // `1` reads as `l`: the skeleton is the same, and both are ASCII: both are welcome.
    await signup(t, `a1ex${suffix}@example.com`).expect(201);
    const copy = `${inScript(CYRILLIC, 'alex')}${suffix}@example.com`;
    expectError(await signup(t, copy), 409, 'Conflict');
    // The account that held the group's place goes; the other ASCII one takes it over.
    await request(t.server)
      .delete('/users/me')
      .set(bearer(first.accessToken))
      .send({ password: PASSWORD })
      .expect(204);
    expectError(await signup(t, copy), 409, 'Conflict');
  });

  it('lets exactly one of two look-alikes signing up at the same moment win', async () => {
    for (let round = 0; round < 5; round++) {
      const local = `copy${tag()}${round}`;
      const answers = await Promise.all([
        signup(t, `${local}@example.com`),
        signup(t, `${inScript(CYRILLIC, local)}@example.com`),
      ]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    }
  });

  it('checks an email change: a look-alike is answered as any taken address, and the confirmation refuses one registered meanwhile', async () => {
    const owner = await signUp(t, { email: `pace${tag()}@example.com` });
    const mover = await signUp(t);
    const lookalike = inScript(CYRILLIC, owner.email.split('@')[0]);
    const answer = await request(t.server)
      .patch('/users/me')
      .set(bearer(mover.accessToken))
      .send({ email: `${lookalike}@example.com`, currentPassword: PASSWORD })
      .expect(200);
    expect(answer.body.email).toBe(mover.email);
    // Its owner is told; no confirmation link goes to the look-alike address.
    await mailInOutbox(
      t.mailDirectory,
      owner.email,
      /tried to use your address/,
    );

    // A free address when asked, a look-alike's by the time the link is used: 409.
    const later = `copy${tag()}x`;
    await request(t.server)
      .patch('/users/me')
      .set(bearer(mover.accessToken))
      .send({ email: `${later}@example.com`, currentPassword: PASSWORD })
      .expect(200);
    const token = linkToken(
      await mailInOutbox(
        t.mailDirectory,
        `${later}@example.com`,
        /Confirm your new/,
      ),
    );
    await signup(t, `${inScript(CYRILLIC, later)}@example.com`).expect(201);
    expectError(
      await request(t.server)
        .post('/auth/email/change/confirm')
        .send({ token }),
      409,
      'Conflict',
    );
  });

  it('refuses a look-alike where user:create makes accounts (the service the command calls)', async () => {
    const local = `opera${tag()}`;
    await signup(t, `${local}@example.com`).expect(201);
    await expect(
      t.app.get(UsersService).register({
        email: `${inScript(CYRILLIC, local)}@example.com`,
        password: 'a perfectly fine passphrase',
      }),
    ).rejects.toMatchObject({ status: 409 });
  });
});
