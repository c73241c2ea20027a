import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Settings } from '../config/settings.js';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import {
  type ColumnCodec,
  columnCodec,
  ListSelect,
} from '../database/raw-select.js';
import { OwnerQuota } from '../database/owner-quota.js';
import type { CreateTodoDto } from './dto/create-todo.dto.js';
import type { ListTodosQueryDto } from './dto/list-todos-query.dto.js';
import type { UpdateTodoDto } from './dto/update-todo.dto.js';
import { Todo } from './todo.entity.js';

const TODO_COLUMNS =
  '"id", "ownerId", "title", "description", "done", "createdAt", "updatedAt"';

type RawTodo = Record<keyof Todo, unknown>;

/**
 * Todos are private: every query carries `ownerId` in its WHERE clause, so another user's todo
 * is indistinguishable from a missing one (404, never 403).
 */
@Injectable()
export class TodosService {
  private readonly securityLog = new Logger('Security');
  private readonly maxPerUser: number;
  private readonly codecs: Record<
    'done' | 'createdAt' | 'updatedAt',
    ColumnCodec
  >;
  private readonly lists: Record<'all' | 'byDone', ListSelect<RawTodo, Todo>>;

  constructor(
    @InjectRepository(Todo) private readonly todos: Repository<Todo>,
    private readonly quota: OwnerQuota,
    config: ConfigService<Settings, true>,
  ) {
    this.maxPerUser = config.get('todos.MAX_TODOS_PER_USER', { infer: true });
    this.codecs = {
      done: columnCodec(todos, 'done'),
      createdAt: columnCodec(todos, 'createdAt'),
      updatedAt: columnCodec(todos, 'updatedAt'),
    };
    const list = (where: string) =>
      new ListSelect<RawTodo, Todo>(
        todos,
        {
          columns: TODO_COLUMNS,
          from: '"todos"',
          where,
          orderBy: '"createdAt" DESC, "id" DESC',
        },
        (raw) => this.hydrate(raw),
      );
    this.lists = {
      all: list('"ownerId" = ?'),
      byDone: list('"ownerId" = ? AND "done" = ?'),
    };
  }

  /**
   * A page of the owner's todos, newest first, and how many there are: two prepared statements,
   * each served by `IDX_todos_owner_created_id` (or `IDX_todos_owner_done_created_id` with
   * `done`), the owner in both WHEREs.
   */
  list(ownerId: string, query: ListTodosQueryDto): Promise<[Todo[], number]> {
    return this.listFor(query).fetch(
      this.listParameters(ownerId, query),
      query,
    );
  }

  /** The page's SQL and parameters; for the query-plan test. */
  pageStatement(
    ownerId: string,
    query: ListTodosQueryDto,
  ): [string, unknown[]] {
    return this.listFor(query).pageStatement(
      this.listParameters(ownerId, query),
      query,
    );
  }

  private listFor(query: ListTodosQueryDto): ListSelect<RawTodo, Todo> {
    return query.done === undefined ? this.lists.all : this.lists.byDone;
  }

  private listParameters(ownerId: string, query: ListTodosQueryDto): unknown[] {
    return query.done === undefined
      ? [ownerId]
      : [ownerId, this.codecs.done.toDatabase(query.done)];
  }

  private hydrate(raw: RawTodo): Todo {
    return {
      id: raw.id as string,
      ownerId: raw.ownerId as string,
      title: raw.title as string,
      description: raw.description as string | null,
      done: this.codecs.done.fromDatabase(raw.done) as boolean,
      createdAt: this.codecs.createdAt.fromDatabase(raw.createdAt) as Date,
      updatedAt: this.codecs.updatedAt.fromDatabase(raw.updatedAt) as Date,
    };
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
