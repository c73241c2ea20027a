import { createResourceServer } from './app.js';
import { readSettings } from './settings.js';

try {
  const settings = readSettings(process.env);
  const app = await createResourceServer(settings);
  await app.listen({ port: settings.port, host: '0.0.0.0' });
  console.log(
    `resource server on ${settings.publicUrl.origin}, trusting ${settings.wardenUrl.origin}`,
  );
} catch (error) {
  // A start that cannot go on says why in words, without a stack trace.
  console.error((error as Error).message);
  process.exit(1);
}
