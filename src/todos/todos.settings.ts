import { Transform } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { defineSettings, toInteger } from '../config/setting-helpers.js';

/** Todos. docs/configuration.md lists each variable. */
export class TodosSettings {
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  MAX_TODOS_PER_USER = 1000;
}

export const todosSettings = defineSettings('todos', TodosSettings);
