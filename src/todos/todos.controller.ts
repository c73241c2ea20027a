import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth } from '../access/auth.decorator.js';
import { CurrentUser } from '../access/current-user.decorator.js';
import { JwtAuthGuard } from '../auth/jwt-auth.guard.js';
import type { UserPrincipal } from '../access/principal.js';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import { NoStore } from '../common/no-store.decorator.js';
import { ApiPageResponse, sendPage } from '../common/pagination.dto.js';
import { CreateTodoDto } from './dto/create-todo.dto.js';
import { ListTodosQueryDto } from './dto/list-todos-query.dto.js';
import { TodoDto } from './dto/todo.dto.js';
import { UpdateTodoDto } from './dto/update-todo.dto.js';
import { TodosService } from './todos.service.js';

const TODO_ID = new ParseUUIDPipe();

@ApiTags('todos')
@ApiBadRequestResponse({
  description: 'Invalid input; the message names the field',
  type: ProblemDetailsDto,
})
@Controller()
@UseGuards(JwtAuthGuard)
export class TodosController {
  constructor(private readonly todos: TodosService) {}

  @Get(['todos', 'secure-todos'])
  @Auth('todos:read')
  @NoStore()
  @ApiOperation({ summary: 'Your todos, newest first' })
  @ApiPageResponse(TodoDto, 'How many todos match, ignoring limit and offset')
  async list(
    @CurrentUser() principal: UserPrincipal,
    @Query() query: ListTodosQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TodoDto[]> {
    return sendPage(
      reply,
      await this.todos.list(principal.userId, query),
      (todo) => TodoDto.from(todo),
    );
  }

  @Post('todos')
  @Auth('todos:write')
  @NoStore()
  @ApiOperation({ summary: 'Create a todo' })
  @ApiCreatedResponse({ type: TodoDto })
  async create(
    @CurrentUser() principal: UserPrincipal,
    @Body() dto: CreateTodoDto,
  ): Promise<TodoDto> {
    return TodoDto.from(await this.todos.create(principal.userId, dto));
  }

  @Get('todos/:id')
  @Auth('todos:read')
  @NoStore()
  @ApiOperation({ summary: 'One of your todos' })
  @ApiOkResponse({ type: TodoDto })
  @ApiNotFoundResponse({
    description: 'No such todo, or not yours',
    type: ProblemDetailsDto,
  })
  async get(
    @CurrentUser() principal: UserPrincipal,
    @Param('id', TODO_ID) id: string,
  ): Promise<TodoDto> {
    return TodoDto.from(await this.todos.get(principal.userId, id));
  }

  @Patch('todos/:id')
  @Auth('todos:write')
  @NoStore()
  @ApiOperation({ summary: 'Edit one of your todos' })
  @ApiOkResponse({ type: TodoDto })
  @ApiNotFoundResponse({
    description: 'No such todo, or not yours',
    type: ProblemDetailsDto,
  })
  async update(
    @CurrentUser() principal: UserPrincipal,
    @Param('id', TODO_ID) id: string,
    @Body() dto: UpdateTodoDto,
  ): Promise<TodoDto> {
    return TodoDto.from(await this.todos.update(principal.userId, id, dto));
  }

  @Delete('todos/:id')
  @Auth('todos:write')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete one of your todos' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({
    description: 'No such todo, or not yours',
    type: ProblemDetailsDto,
  })
  async remove(
    @CurrentUser() principal: UserPrincipal,
    @Param('id', TODO_ID) id: string,
  ): Promise<void> {
    await this.todos.remove(principal.userId, id);
  }
}
