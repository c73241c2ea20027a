import { appForSuite } from '../support/suite.js';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { bearer, signUp, tokenRequest } from '../support/api.js';

// Seconds instead of days, so that the clock can run past the limits for real.
const IDLE_SECONDS = 2;
const ABSOLUTE_SECONDS = 3;

describe('E. Refresh tokens: idle and absolute expiry', () => {
  const t = appForSuite({
    REFRESH_TOKEN_TTL: String(IDLE_SECONDS),
    SESSION_ABSOLUTE_TTL: String(ABSOLUTE_SECONDS),
  });

  const refresh = (refreshToken: string) =>
    tokenRequest(t, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });

  it('RT-08: refuses a refresh token left unused past the idle window', async () => {
    const user = await signUp(t);
    await sleep((IDLE_SECONDS + 0.5) * 1000);
    const response = await refresh(user.refreshToken!).expect(400);
    expect(response.body.error).toBe('invalid_grant');
  });

  it('RT-07: never extends the absolute lifetime by rotating', async () => {
    const user = await signUp(t);
    const started = Date.now();
    let refreshToken = user.refreshToken!;
    while (Date.now() - started < (ABSOLUTE_SECONDS - 1.2) * 1000) {
      await sleep(900);
      const rotated = await refresh(refreshToken).expect(200);
      refreshToken = rotated.body.refresh_token;
      const sessions = await request(t.server)
        .get('/auth/sessions')
        .set(bearer(rotated.body.access_token))
        .expect(200);
      for (const session of sessions.body as { expiresAt: string }[]) {
        expect(Date.parse(session.expiresAt)).toBeLessThanOrEqual(
          started + ABSOLUTE_SECONDS * 1000 + 1000,
        );
      }
    }
    await sleep(
      Math.max(0, started + (ABSOLUTE_SECONDS + 0.3) * 1000 - Date.now()),
    );
    const expired = await refresh(refreshToken).expect(400);
    expect(expired.body.error).toBe('invalid_grant');
    // Past the absolute expiry the session's access tokens go too, whatever their exp says.
    await request(t.server)
      .get('/users/me')
      .set(bearer(user.accessToken))
      .expect(401);
  });
});
