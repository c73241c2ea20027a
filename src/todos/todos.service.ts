import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Config } from '../config/environment.js';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type SelectQueryBuilder } from 'typeorm';
import { countRows } from '../database/count-rows.js';
import { OwnerQuota } from '../database/owner-quota.js';
import type { CreateTodoDto } from './dto/create-todo.dto.js';
import type { ListTodosQueryDto } from './dto/list-todos-query.dto.js';
import type { UpdateTodoDto } from './dto/update-todo.dto.js';
import { Todo } from './todo.entity.js';

/**
 * Todos are private: every query carries `ownerId` in its WHERE clause, so another user's todo
 * is indistinguishable from a missing one (404, never 403).
 */
@Injectable()
export class TodosService {
  private readonly securityLog = new Logger('Security');
  private readonly maxPerUser: number;

  constructor(
    @InjectRepository(Todo) private readonly todos: Repository<Todo>,
    private readonly quota: OwnerQuota,
    config: ConfigService<Config, true>,
  ) {
    this.maxPerUser = config.get('MAX_TODOS_PER_USER', { infer: true });
  }

  /**
   * A page of the owner's todos, newest first, and how many there are: each statement served by
   * `IDX_todos_owner_created_id` (or `IDX_todos_owner_done_created_id` with `done`).
   */
  async list(
    ownerId: string,
    query: ListTodosQueryDto,
  ): Promise<[Todo[], number]> {
    return Promise.all([
      this.pageQuery(ownerId, query).getMany(),
      countRows(this.filtered(ownerId, query)),
    ]);
  }

  /** The page's statement; exposed for the query-plan test. */
  pageQuery(
    ownerId: string,
    query: ListTodosQueryDto,
  ): SelectQueryBuilder<Todo> {
    return this.filtered(ownerId, query)
      .orderBy('todo.createdAt', 'DESC')
      .addOrderBy('todo.id', 'DESC')
      .limit(query.limit)
      .offset(query.offset);
  }

  private filtered(
    ownerId: string,
    query: ListTodosQueryDto,
  ): SelectQueryBuilder<Todo> {
    const builder = this.todos
      .createQueryBuilder('todo')
      .where('todo.ownerId = :ownerId', { ownerId });
    return query.done === undefined
      ? builder
      : builder.andWhere('todo.done = :done', { done: query.done });
  }

  /** Each user may keep MAX_TODOS_PER_USER todos, so one account cannot fill the database. */
  async create(ownerId: string, dto: CreateTodoDto): Promise<Todo> {
    return this.quota.insert(
      Todo,
      { id: ownerId, where: { ownerId } },
      { max: this.maxPerUser, noun: 'todos' },
      {
        ownerId,
        title: dto.title,
        description: dto.description ?? null,
        done: dto.done ?? false,
      },
    );
  }

  async get(ownerId: string, id: string): Promise<Todo> {
    const todo = await this.todos.findOneBy({ id, ownerId });
    if (!todo) throw await this.notFound(ownerId, id);
    return todo;
  }

  /** Applies the edit, then reads the row back, so timestamps are the database's own. */
  async update(ownerId: string, id: string, dto: UpdateTodoDto): Promise<Todo> {
    const todo = await this.get(ownerId, id);
    if (Object.keys(dto).length > 0) {
      await this.todos.update({ id: todo.id, ownerId }, dto);
    }
    return this.get(ownerId, id);
  }

  async remove(ownerId: string, id: string): Promise<void> {
    const { affected } = await this.todos.delete({ id, ownerId });
    if (!affected) throw await this.notFound(ownerId, id);
  }

  /**
   * The same 404 for a missing todo and for someone else's; the latter is also logged as an
   * authorization failure (one extra query, on this failure path only).
   */
  private async notFound(
    ownerId: string,
    id: string,
  ): Promise<NotFoundException> {
    if (await this.todos.existsBy({ id })) {
      this.securityLog.warn(
        `authorization failed: user ${ownerId} asked for todo ${id} of another user`,
      );
    }
    return new NotFoundException('Todo not found');
  }
}
