import { HttpException, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { ConfigurationError } from '../config/configuration-error.js';
import { readEnvironment, validateSettings } from '../config/settings.js';
import {
  type FieldProblem,
  ProblemException,
} from '../problems/problem.exception.js';

/**
 * Runs a command-line tool's `main` and exits with its code. What the operator can fix (a bad
 * argument, a field that fails validation, a setting) is printed as its message alone, one
 * line per field; anything else is a bug and keeps its stack trace.
 */
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ProblemException) {
        const { errors } = error.getResponse() as { errors?: FieldProblem[] };
        console.error(
          errors
            ? errors.map((field) => field.detail).join('\n')
            : error.message,
        );
      } else if (
        error instanceof HttpException ||
        error instanceof ConfigurationError ||
        // parseArgs' answer to an unknown option or a missing value.
        error instanceof TypeError
      ) {
        console.error(error.message);
      } else {
        console.error(error);
      }
      process.exit(1);
    },
  );
}

/**
 * The application's providers, without its HTTP server, on the settings of the environment, for
 * `use`; closed afterwards. Only fatal errors are logged: stdout carries the tool's JSON answer,
 * so nothing else may be written there.
 */
export async function withApplication<T>(
  use: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  const app = await NestFactory.createApplicationContext(
    AppModule.withSettings(validateSettings(readEnvironment())),
    { logger: ['fatal', 'error'], abortOnError: false },
  );
  try {
    return await use(app);
  } finally {
    await app.close();
  }
}
