import {
  type BeforeApplicationShutdown,
  HttpStatus,
  Injectable,
  Logger,
} from '@nestjs/common';
import { HttpExceptionWithHeaders } from './http-exception-with-headers.js';

/**
 * How much may run at once. The work of one request is a lookup and perhaps a mail, done in
 * milliseconds; thousands at once means the database is frozen or a flood comes from many
 * addresses, and past this the request is refused rather than queued without bound.
 */
export const BACKGROUND_WORK_LIMIT = 1_000;
const RETRY_AFTER_SECONDS = 10;

/**
 * Work a request starts and does not wait for, so that its answer (and how long the answer
 * takes) cannot depend on the work: whether an address has an account, say. A failure is
 * logged; shutdown waits for what is running while the database is still open.
 */
@Injectable()
export class BackgroundWork implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Background');
  private readonly running = new Set<Promise<void>>();

  /**
   * Starts `work`, or throws a 503 with `Retry-After` when `BACKGROUND_WORK_LIMIT` tasks are
   * running (which says nothing about what the request asked for).
   */
  run(label: string, work: () => Promise<void>): void {
    if (this.running.size >= BACKGROUND_WORK_LIMIT) {
      this.logger.warn(
        `${label} refused: ${BACKGROUND_WORK_LIMIT} background tasks already running`,
      );
      throw new HttpExceptionWithHeaders(
        `Too much work is waiting; try again in ${RETRY_AFTER_SECONDS} seconds`,
        HttpStatus.SERVICE_UNAVAILABLE,
        { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      );
    }
    const task = work()
      .catch((error: unknown) =>
        this.logger.error(
          `${label} failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      )
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
