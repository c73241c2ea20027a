import { Controller, Get, Module, Post, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import request from 'supertest';
import { AccessTokenService } from '../src/auth/access-token.service.js';
import { BearerAuthenticationService } from '../src/auth/bearer-authentication.service.js';
import { JwtAuthGuard } from '../src/auth/jwt-auth.guard.js';
import { bearer, signUp, type TestUser } from './support/api.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** A feature a developer adds without saying anything about authentication. */
@Controller('undeclared')
class UndeclaredController {
  @Get()
  read(): { ok: true } {
    return { ok: true };
  }

  // Named as the design card shows for todos and posts: the global guard has already run.
  @Post()
  @UseGuards(JwtAuthGuard)
  write(): { ok: true } {
    return { ok: true };
  }
}

describe('The auth boundary', () => {
  let t: TestApp;
  let alice: TestUser;
  let principalFor: ReturnType<typeof vi.spyOn>;
  beforeAll(async () => {
    t = await startTestApp();
    alice = await signUp(t);
    principalFor = vi.spyOn(
      t.app.get(BearerAuthenticationService),
      'principalFor',
    );
  });
  afterAll(() => t.close());
  // A block body: a function returned from beforeEach is run as its cleanup.
  beforeEach(() => {
    principalFor.mockClear();
  });

  it('checks a bearer token once per request, also where a controller names JwtAuthGuard itself', async () => {
    await request(t.server)
      .get('/todos')
      .set(bearer(alice.accessToken))
      .expect(200);
    expect(principalFor).toHaveBeenCalledTimes(1);

    principalFor.mockClear();
    await request(t.server)
      .post('/posts')
      .set(bearer(alice.accessToken))
      .send({ title: 'once', content: 'checked once' })
      .expect(201);
    expect(principalFor).toHaveBeenCalledTimes(1);
    expect(principalFor).toHaveBeenCalledWith(
      expect.objectContaining({ sub: alice.id }),
      expect.objectContaining({ scopes: ['posts:write'], sensitive: null }),
      { title: 'once', content: 'checked once' },
    );
  });

  it('has passport-jwt verify a token the first time it is seen, and remembers it after', async () => {
    const tokens = t.app.get(AccessTokenService);
    const accept = vi.spyOn(tokens, 'accept');
    const verify = vi.spyOn(tokens, 'verify');
    try {
      const fresh = (
        await request(t.server)
          .post('/auth/login')
          .send({ username: alice.username, password: alice.password })
          .expect(200)
      ).body.access_token as string;
      for (let i = 0; i < 3; i++)
        await request(t.server).get('/users/me').set(bearer(fresh)).expect(200);
      // Once, from passport-jwt's verify callback: jsonwebtoken ran there, not in verify().
      expect(accept).toHaveBeenCalledTimes(1);
      expect(accept).toHaveBeenCalledWith(
        fresh,
        expect.objectContaining({
          header: expect.objectContaining({ typ: 'at+jwt' }),
        }),
      );
      expect(verify).not.toHaveBeenCalled();
    } finally {
      accept.mockRestore();
      verify.mockRestore();
    }
  });

  it('never looks at a token on a public route', async () => {
    await request(t.server)
      .get('/posts')
      .set(bearer(alice.accessToken))
      .expect(200);
    await request(t.server).get('/health/live').expect(200);
    expect(principalFor).not.toHaveBeenCalled();
  });

  // Last: passport's strategies are process-wide, so the second application's JwtStrategy
  // replaces the first one's.
  it('a route that declares nothing needs a valid token (guards are on by default)', async () => {
    const { AppModule } = await import('../src/app.module.js');
    const { readEnvironment, validateSettings } =
      await import('../src/config/settings.js');
    const loadSettings = () => validateSettings(readEnvironment());
    @Module({
      imports: [AppModule.withSettings(loadSettings())],
      controllers: [UndeclaredController],
    })
    class ExtendedAppModule {}
    const app = await NestFactory.create<NestFastifyApplication>(
      ExtendedAppModule,
      new FastifyAdapter(),
      { logger: false },
    );
    try {
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      const server = app.getHttpServer();
      // Its own in-memory database on SQLite: a user of its own.
      const user = await signUp({ ...t, app, server });

      for (const method of ['get', 'post'] as const) {
        const anonymous = await request(server)[method]('/undeclared');
        expect(anonymous.status, method).toBe(401);
        expect(anonymous.headers['www-authenticate']).toBe(
          'Bearer realm="warden"',
        );
        const forged = await request(server)
          [method]('/undeclared')
          .set(bearer(`${user.accessToken}x`));
        expect(forged.status, method).toBe(401);
        expect(forged.headers['www-authenticate']).toContain(
          'error="invalid_token"',
        );
        await request(server)
          [method]('/undeclared')
          .set(bearer(user.accessToken))
          .expect(method === 'get' ? 200 : 201, { ok: true });
      }
    } finally {
      await app.close();
    }
  });
});
