import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import { ResourceServerModule } from './resource-server.module.js';
import type { ResourceServerSettings } from './settings.js';
import { connectToWarden } from './warden.js';

/** The resource server, built and ready to listen (what `main.ts` and the test start). */
export async function createResourceServer(
  settings: ResourceServerSettings,
): Promise<NestFastifyApplication> {
  const warden = await connectToWarden(settings);
  const app = await NestFactory.create<NestFastifyApplication>(
    ResourceServerModule.forWarden(warden),
    new FastifyAdapter(),
    { logger: ['error', 'warn'] },
  );
  app.enableShutdownHooks();
  return app;
}
