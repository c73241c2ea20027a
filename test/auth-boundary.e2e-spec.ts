import { Controller, Get, Module, Post, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import request from 'supertest';
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
  let authenticate: ReturnType<typeof vi.spyOn>;
  beforeAll(async () => {
    t = await startTestApp();
    alice = await signUp(t);
    authenticate = vi.spyOn(
      t.app.get(BearerAuthenticationService),
      'authenticate',
    );
  });
  afterAll(() => t.close());
  beforeEach(() => authenticate.mockClear());

  it('checks a bearer token once per request, also where a controller names JwtAuthGuard itself', async () => {
    await request(t.server)
      .get('/todos')
      .set(bearer(alice.accessToken))
      .expect(200);
    expect(authenticate).toHaveBeenCalledTimes(1);

    authenticate.mockClear();
    await request(t.server)
      .post('/posts')
      .set(bearer(alice.accessToken))
      .send({ title: 'once', content: 'checked once' })
      .expect(201);
    expect(authenticate).toHaveBeenCalledTimes(1);
    expect(authenticate).toHaveBeenCalledWith(
      `Bearer ${alice.accessToken}`,
      expect.objectContaining({ scopes: ['posts:write'], sensitive: null }),
      { title: 'once', content: 'checked once' },
    );
  });

  it('never looks at a token on a public route', async () => {
    await request(t.server)
      .get('/posts')
      .set(bearer(alice.accessToken))
      .expect(200);
    await request(t.server).get('/health/live').expect(200);
    expect(authenticate).not.toHaveBeenCalled();
  });

  // Last: passport's strategies are process-wide, so the second application's JwtStrategy
  // replaces the first one's.
  it('a route that declares nothing needs a valid token (guards are on by default)', async () => {
    const { AppModule } = await import('../src/app.module.js');
    @Module({
      imports: [AppModule.withConfig()],
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
