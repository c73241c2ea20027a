import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DeepPartial,
  EntityManager,
  EntityTarget,
  FindOptionsWhere,
  ObjectLiteral,
} from 'typeorm';
import { DataSource } from 'typeorm';
import { isPostgres } from './dialect.js';
import { lockUserRow } from './user-row-lock.js';

/**
 * Inserts that must respect a per-owner row limit (MAX_TODOS_PER_USER, MAX_POSTS_PER_USER) under
 * any concurrency. Counting and then inserting is a race: 30 parallel creates all count 4 and all
 * insert. So the count and the insert run as one critical section per owner:
 * - within this process, one after the other (a promise chain per owner), which is all SQLite
 *   needs (one connection, which TypeORM cannot give concurrent transactions);
 * - on PostgreSQL also inside a transaction that first locks the owner's `users` row
 *   (`lockUserRow`), which serialises instances too.
 */
@Injectable()
export class OwnerQuota {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly postgres: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.postgres = isPostgres(dataSource);
  }

  /**
   * Saves the new row and returns it; a 400 that says so when the owner already has `quota.max`
   * rows (`quota.noun`: "todos").
   */
  async insert<T extends ObjectLiteral>(
    target: EntityTarget<T>,
    owner: { id: string; where: FindOptionsWhere<T> },
    quota: { max: number; noun: string },
    values: DeepPartial<T>,
  ): Promise<T> {
    const { max, noun } = quota;
    const insert = async (manager: EntityManager): Promise<T | null> => {
      if ((await manager.countBy(target, owner.where)) >= max) return null;
      return manager.save(target, manager.create(target, values));
    };
    const row = await this.oneAtATime(owner.id, () =>
      this.postgres
        ? this.dataSource.transaction(async (manager) => {
            await lockUserRow(manager, owner.id);
            return insert(manager);
          })
        : insert(this.dataSource.manager),
    );
    if (!row) {
      throw new BadRequestException(
        `You have ${max} ${noun}, the most one account may keep; delete some first`,
      );
    }
    return row;
  }

  private oneAtATime<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
