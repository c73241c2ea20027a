import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
} from '@nestjs/common';

/**
 * Work a request starts and does not wait for, so that its answer (and how long the answer
 * takes) cannot depend on the work: whether an address has an account, say. A failure is
 * logged; shutdown waits for what is running while the database is still open.
 */
@Injectable()
export class BackgroundWork implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Background');
  private readonly running = new Set<Promise<void>>();

  run(label: string, work: () => Promise<void>): void {
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
