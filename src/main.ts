import { Logger } from '@nestjs/common';
import { createApp, inFlightRequestsOf } from './app.setup.js';
import { flushLogs } from './logging/logging.module.js';
import { startupProblem } from './startup-problem.js';
import { listeningLine } from './listening-line.js';
import type { AddressInfo } from 'node:net';
import {
  readEnvironment,
  type Settings,
  validateSettings,
} from './config/settings.js';

/** In-flight requests get this long to finish after SIGTERM before the process gives up. */
const SHUTDOWN_GRACE_MS = 10_000;

// Log lines are buffered; whatever way the process ends, the last ones are written out.
process.on('exit', flushLogs);

// Known once validated, so that a failure further on can name the setting to change.
let settings: Settings | undefined;
try {
  settings = validateSettings(readEnvironment());
  const app = await createApp({ holdStartupLogs: true, settings });
  await app.listen({ port: settings.app.PORT, host: settings.app.HOST });
  // Started: the start-up lines held until now go out, then the line that says where.
  app.flushLogs();
  Logger.log(
    listeningLine(
      app.getHttpServer().address() as AddressInfo,
      settings.app.PUBLIC_URL,
      settings.app.SWAGGER_ENABLED,
    ),
    'Warden',
  );

  // Graceful shutdown: let the requests in flight finish (up to the grace period; responses
  // meanwhile close their connections), then close the HTTP server, the database and Redis,
  // and exit 0. (Nest's
  // enableShutdownHooks would re-raise the signal, and a process killed by a signal does not
  // exit 0; closing the app at once would cut off requests still waiting for argon2.)
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      Logger.log(`${signal} received: finishing in-flight requests`, 'Warden');
      setTimeout(() => {
        Logger.error('Shutdown took too long; exiting', 'Warden');
        process.exit(1);
      }, SHUTDOWN_GRACE_MS).unref();
      inFlightRequestsOf(app)
        .drain(SHUTDOWN_GRACE_MS)
        .then(() => app.close())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            Logger.error(`Shutdown failed: ${String(error)}`, 'Warden');
            process.exit(1);
          },
        );
    });
  }
} catch (error) {
  // A configuration, database or address problem is the operator's to fix: one line names the
  // cause and the variable, where a stack trace would only bury it.
  console.error(startupProblem(error, settings));
  process.exit(1);
}
