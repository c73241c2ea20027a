import { ConfigService } from '@nestjs/config';
import { createApp } from './app.setup.js';
import { ConfigurationError } from './config/environment.js';
import type { Config } from './config/environment.js';

try {
  const app = await createApp();
  const config = app.get<ConfigService<Config, true>>(ConfigService);
  await app.listen({
    port: config.get('PORT', { infer: true }),
    host: config.get('HOST', { infer: true }),
  });
} catch (error) {
  // A configuration problem is the operator's to fix: print the message, not a stack trace.
  console.error(
    error instanceof ConfigurationError ? error.message : error,
  );
  process.exit(1);
}
