import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
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
  constructor(
    @InjectRepository(Todo) private readonly todos: Repository<Todo>,
  ) {}

  list(ownerId: string, query: ListTodosQueryDto): Promise<[Todo[], number]> {
    return this.todos.findAndCount({
      where:
        query.done === undefined ? { ownerId } : { ownerId, done: query.done },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
  }

  create(ownerId: string, dto: CreateTodoDto): Promise<Todo> {
    return this.todos.save(
      this.todos.create({
        ownerId,
        title: dto.title,
        description: dto.description ?? null,
        done: dto.done ?? false,
      }),
    );
  }

  async get(ownerId: string, id: string): Promise<Todo> {
    const todo = await this.todos.findOneBy({ id, ownerId });
    if (!todo) throw new NotFoundException('Todo not found');
    return todo;
  }

  async update(ownerId: string, id: string, dto: UpdateTodoDto): Promise<Todo> {
    const todo = await this.get(ownerId, id);
    return this.todos.save(this.todos.merge(todo, dto));
  }

  async remove(ownerId: string, id: string): Promise<void> {
    const { affected } = await this.todos.delete({ id, ownerId });
    if (!affected) throw new NotFoundException('Todo not found');
  }
}
