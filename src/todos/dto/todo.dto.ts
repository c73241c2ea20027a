import { ApiProperty } from '@nestjs/swagger';
import type { Todo } from '../todo.entity.js';

export class TodoDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Buy milk' })
  title: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Semi-skimmed, two litres',
  })
  description: string | null;

  @ApiProperty({ example: false })
  done: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  static from(todo: Todo): TodoDto {
    return {
      id: todo.id,
      title: todo.title,
      description: todo.description,
      done: todo.done,
      createdAt: todo.createdAt.toISOString(),
      updatedAt: todo.updatedAt.toISOString(),
    };
  }
}
