import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { configWith } from '../../test/support/config.js';
import { AccessTokenService } from './access-token.service.js';
import { JwtKeys } from './jwt-keys.js';
import type { Authentication } from '../sessions/authentication.js';

const TTL = 900;
const PASSWORD: Authentication = { amr: ['pwd'], time: new Date() };

function service(
  secret = 'a'.repeat(48),
  issuers: { JWT_ISSUER?: string; JWT_ACCEPTED_ISSUERS?: string[] } = {},
): AccessTokenService {
  const config = configWith({
    JWT_ALGORITHM: 'HS256',
    JWT_SECRET: secret,
    ACCESS_TOKEN_TTL: TTL,
    JWT_ISSUER: 'https://auth.example.com',
    JWT_ACCEPTED_ISSUERS: [],
    JWT_AUDIENCE: 'warden-api',
    ...issuers,
  });
  return new AccessTokenService(
    new JwtService({}),
    new JwtKeys(config),
    config,
  );
}

describe('AccessTokenService.verify', () => {
  afterEach(() => vi.useRealTimers());

  it('accepts the issuers of JWT_ACCEPTED_ISSUERS beside its own, and no other', () => {
    const older = service('a'.repeat(48), { JWT_ISSUER: 'warden' });
    const token = older.issue(
      randomUUID(),
      randomUUID(),
      ['account'],
      PASSWORD,
    );
    expect(service().verify(token)).toMatchObject({ valid: false });
    expect(
      service('a'.repeat(48), { JWT_ACCEPTED_ISSUERS: ['warden'] }).verify(
        token,
      ),
    ).toMatchObject({ valid: true });
    expect(
      service('a'.repeat(48), {
        JWT_ACCEPTED_ISSUERS: ['https://other.example.com'],
      }).verify(token),
    ).toMatchObject({ valid: false });
  });

  it('accepts its own token, again and again, with the same claims', () => {
    const tokens = service();
    const userId = randomUUID();
    const sessionId = randomUUID();
    const token = tokens.issue(userId, sessionId, ['account'], {
      amr: ['pwd', 'otp', 'mfa'],
      time: new Date(1_000_000_000_000),
    });
    for (let i = 0; i < 3; i++) {
      expect(tokens.verify(token)).toEqual({
        valid: true,
        claims: expect.objectContaining({
          sub: userId,
          sid: sessionId,
          scope: 'account',
          amr: ['pwd', 'otp', 'mfa'],
          auth_time: 1_000_000_000,
        }),
      });
    }
  });

  it('refuses a remembered token once it expires (after the 5 s tolerance)', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tokens = service();
    const token = tokens.issue(
      randomUUID(),
      randomUUID(),
      ['account'],
      PASSWORD,
    );
    expect(tokens.verify(token).valid).toBe(true);
    vi.setSystemTime(Date.now() + (TTL + 4) * 1000);
    expect(tokens.verify(token).valid).toBe(true);
    vi.setSystemTime(Date.now() + 2000);
    expect(tokens.verify(token)).toEqual({ valid: false, reason: 'expired' });
    expect(tokens.verify(token)).toEqual({ valid: false, reason: 'expired' });
  });

  it('never takes an altered token for the remembered one', () => {
    const tokens = service();
    const token = tokens.issue(
      randomUUID(),
      randomUUID(),
      ['account'],
      PASSWORD,
    );
    expect(tokens.verify(token).valid).toBe(true);
    const [header, payload, signature] = token.split('.');
    const claims = Buffer.from(payload, 'base64url').toString();
    const forged = claims.replace('"account"', '"users:admin"');
    expect(forged).not.toBe(claims);
    expect(
      tokens.verify(
        `${header}.${Buffer.from(forged).toString('base64url')}.${signature}`,
      ),
    ).toEqual({ valid: false, reason: 'invalid' });
    expect(tokens.verify(`${token}x`)).toEqual({
      valid: false,
      reason: 'invalid',
    });
  });

  it("refuses another key's token", () => {
    const token = service('b'.repeat(48)).issue(
      randomUUID(),
      randomUUID(),
      [],
      PASSWORD,
    );
    expect(service().verify(token)).toEqual({
      valid: false,
      reason: 'invalid',
    });
  });
});
