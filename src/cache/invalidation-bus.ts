import { withDeadline } from '../common/deadline.js';
import {
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Settings } from '../config/settings.js';
import { RedisConnections } from '../redis/redis.module.js';

export type InvalidationKind = 'user' | 'session' | 'client-token';
const INVALIDATION_KINDS: readonly string[] = [
  'user',
  'session',
  'client-token',
] satisfies InvalidationKind[];

export interface Invalidation {
  kind: InvalidationKind;
  ids: string[];
}

type Listener = (invalidation: Invalidation | 'all') => void;

/**
 * A frozen Redis keeps the subscription's connection open and delivers nothing, which no
 * `close` event reports: the subscription is pinged this often, and a ping unanswered for as
 * long counts as down.
 */
const HEARTBEAT_MS = 1000;

/**
 * Tells every instance that cached users or sessions changed. Local listeners run at once,
 * before `publish` returns; other instances hear it through Redis pub/sub when `REDIS_URL` is
 * set. Pub/sub delivers nothing to a subscriber that is disconnected, so while the subscription
 * is down `cacheable` is false (callers read the database), and when it comes back every
 * listener is told to forget everything.
 */
@Injectable()
export class InvalidationBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(InvalidationBus.name);
  private readonly listeners: Listener[] = [];
  private subscribed: boolean;
  private stalled = false;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Namespaced like every key, so deployments sharing a Redis never hear each other. */
  readonly channel: string;

  constructor(
    private readonly redis: RedisConnections,
    config: ConfigService<Settings, true>,
  ) {
    this.subscribed = redis.subscriber === null;
    this.channel = `${config.get('redis.REDIS_KEY_PREFIX', { infer: true })}invalidate`;
  }

  /** Whether cached state can be trusted right now. */
  get cacheable(): boolean {
    return this.subscribed;
  }

  onModuleInit(): void {
    const subscriber = this.redis.subscriber;
    if (!subscriber) return;
    const subscribe = () =>
      subscriber.subscribe(this.channel).then(
        () => {
          this.emit('all');
          this.subscribed = true;
        },
        (error: Error) =>
          this.logger.warn(`subscribe failed: ${error.message}`),
      );
    subscriber.on('ready', () => void subscribe());
    if (subscriber.status === 'ready') void subscribe();
    subscriber.on('close', () => {
      this.subscribed = false;
    });
    this.heartbeat = setInterval(
      () => void this.checkSubscription(),
      HEARTBEAT_MS,
    ).unref();
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const invalidation = parse(message);
      if (invalidation) this.emit(invalidation);
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
  }

  /**
   * While a ping goes unanswered, cached state is not trusted (invalidations may be missed);
   * when answers come back, every listener forgets everything, as after a reconnection.
   */
  private async checkSubscription(): Promise<void> {
    const subscriber = this.redis.subscriber;
    if (!subscriber || subscriber.status !== 'ready') return;
    const answered = await withDeadline(
      subscriber.ping(),
      HEARTBEAT_MS,
      'no answer',
    ).then(
      () => true,
      () => false,
    );
    if (!answered && !this.stalled) {
      this.stalled = true;
      this.subscribed = false;
      this.logger.warn(
        'Redis subscription not answering: cached state is bypassed',
      );
    } else if (answered && this.stalled) {
      this.stalled = false;
      this.emit('all');
      this.subscribed = true;
      this.logger.log('Redis subscription answering again: caches cleared');
    }
  }

  /** Keeps `cache` (keyed by id) in step with the invalidations of one kind. */
  attach(
    kind: InvalidationKind,
    cache: { invalidate(ids: readonly string[]): void; clear(): void },
  ): void {
    this.listeners.push((invalidation) => {
      if (invalidation === 'all') cache.clear();
      else if (invalidation.kind === kind) cache.invalidate(invalidation.ids);
    });
  }

  async publish(invalidation: Invalidation): Promise<void> {
    if (invalidation.ids.length === 0) return;
    this.emit(invalidation);
    if (!this.redis.commands) return;
    try {
      await this.redis.commands.publish(
        this.channel,
        JSON.stringify(invalidation),
      );
    } catch (error) {
      // The change itself is committed; other instances catch up when their subscription
      // reconnects (it clears their caches) or their cache entries expire.
      this.logger.error(`publish failed: ${(error as Error).message}`);
    }
  }

  private emit(invalidation: Invalidation | 'all'): void {
    for (const listener of this.listeners) listener(invalidation);
  }
}

function parse(message: string): Invalidation | null {
  try {
    const value = JSON.parse(message) as Partial<Invalidation>;
    if (
      typeof value.kind === 'string' &&
      INVALIDATION_KINDS.includes(value.kind) &&
      Array.isArray(value.ids) &&
      value.ids.every((id) => typeof id === 'string')
    ) {
      return { kind: value.kind, ids: value.ids };
    }
  } catch {
    // ignore: not ours
  }
  return null;
}
