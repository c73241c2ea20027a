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
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth, Public } from '../access/auth.decorator.js';
import { CurrentUser } from '../access/current-user.decorator.js';
import { JwtAuthGuard } from '../auth/jwt-auth.guard.js';
import type { UserPrincipal } from '../access/principal.js';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import { ApiPageResponse, sendPage } from '../common/pagination.dto.js';
import { CreatePostDto } from './dto/create-post.dto.js';
import { ListPostsQueryDto } from './dto/list-posts-query.dto.js';
import { PostDto } from './dto/post.dto.js';
import { UpdatePostDto } from './dto/update-post.dto.js';
import { PostsService } from './posts.service.js';

const POST_ID = new ParseUUIDPipe();

@ApiTags('posts')
@ApiBadRequestResponse({
  description: 'Invalid input; the message names the field',
  type: ProblemDetailsDto,
})
@Controller('posts')
@UseGuards(JwtAuthGuard)
export class PostsController {
  constructor(private readonly posts: PostsService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'All posts, newest first (public)' })
  @ApiPageResponse(PostDto, 'How many posts match, ignoring limit and offset')
  async list(
    @Query() query: ListPostsQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PostDto[]> {
    return sendPage(reply, await this.posts.list(query), (post) =>
      PostDto.from(post),
    );
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'One post (public)' })
  @ApiOkResponse({ type: PostDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param('id', POST_ID) id: string): Promise<PostDto> {
    return PostDto.from(await this.posts.get(id));
  }

  @Post()
  @Auth('posts:write')
  @ApiOperation({ summary: 'Write a post; you are its author' })
  @ApiCreatedResponse({ type: PostDto })
  async create(
    @CurrentUser() principal: UserPrincipal,
    @Body() dto: CreatePostDto,
  ): Promise<PostDto> {
    return PostDto.from(await this.posts.create(principal.userId, dto));
  }

  @Patch(':id')
  @Auth('posts:write')
  @ApiOperation({ summary: 'Edit a post (its author or an admin)' })
  @ApiOkResponse({ type: PostDto })
  @ApiForbiddenResponse({
    description: 'Not the author, not an admin',
    type: ProblemDetailsDto,
  })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async update(
    @CurrentUser() principal: UserPrincipal,
    @Param('id', POST_ID) id: string,
    @Body() dto: UpdatePostDto,
  ): Promise<PostDto> {
    return PostDto.from(await this.posts.update(principal, id, dto));
  }

  @Delete(':id')
  @Auth('posts:write')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a post (its author or an admin)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiForbiddenResponse({
    description: 'Not the author, not an admin',
    type: ProblemDetailsDto,
  })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async remove(
    @CurrentUser() principal: UserPrincipal,
    @Param('id', POST_ID) id: string,
  ): Promise<void> {
    await this.posts.remove(principal, id);
  }
}
