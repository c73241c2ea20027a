import {
  ForbiddenException,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import type { Config } from '../config/environment.js';
import { Repository, type SelectQueryBuilder } from 'typeorm';
import { countRows } from '../database/count-rows.js';
import { actsAsAdmin, type Principal } from '../auth/principal.js';
import { OwnerQuota } from '../database/owner-quota.js';
import type { User } from '../users/user.entity.js';
import type { CreatePostDto } from './dto/create-post.dto.js';
import type { ListPostsQueryDto } from './dto/list-posts-query.dto.js';
import type { UpdatePostDto } from './dto/update-post.dto.js';
import { Post } from './post.entity.js';

/**
 * Posts are public to read. Only their author, or an admin, may change or delete them; since a
 * post's existence is public anyway, anyone else gets 403 rather than 404.
 */
@Injectable()
export class PostsService {
  private readonly securityLog = new Logger('Security');
  private readonly maxPerUser: number;

  constructor(
    @InjectRepository(Post) private readonly posts: Repository<Post>,
    private readonly quota: OwnerQuota,
    config: ConfigService<Config, true>,
  ) {
    this.maxPerUser = config.get('MAX_POSTS_PER_USER', { infer: true });
  }

  /**
   * A page of posts, newest first, and how many there are. Two statements, each served by an
   * index (`IDX_posts_created_id`, or `IDX_posts_author_created_id` with `authorId`): the page
   * joins only the author's public fields (a many-to-one join cannot multiply rows, so plain
   * LIMIT/OFFSET is right; TypeORM's `take`/`skip` would add a DISTINCT subquery over the whole
   * table), and the count reads the index alone.
   */
  async list(query: ListPostsQueryDto): Promise<[Post[], number]> {
    return Promise.all([
      this.pageQuery(query).getMany(),
      countRows(this.filtered(query)),
    ]);
  }

  /** The page's statement; exposed for the query-plan test. */
  pageQuery(query: ListPostsQueryDto): SelectQueryBuilder<Post> {
    return this.filtered(query)
      .innerJoin('post.author', 'author')
      .addSelect(['author.id', 'author.username', 'author.fullName'])
      .orderBy('post.createdAt', 'DESC')
      .addOrderBy('post.id', 'DESC')
      .limit(query.limit)
      .offset(query.offset);
  }

  private filtered(query: ListPostsQueryDto): SelectQueryBuilder<Post> {
    const builder = this.posts.createQueryBuilder('post');
    return query.authorId === undefined
      ? builder
      : builder.where('post.authorId = :authorId', {
          authorId: query.authorId,
        });
  }

  async get(id: string): Promise<Post> {
    const post = await this.posts.findOne({
      where: { id },
      relations: { author: true },
    });
    if (!post) throw new NotFoundException('Post not found');
    return post;
  }

  /** Each user may keep MAX_POSTS_PER_USER posts, so one account cannot fill the database. */
  async create(author: User, dto: CreatePostDto): Promise<Post> {
    const post = await this.quota.insert(
      Post,
      { id: author.id, where: { authorId: author.id } },
      { max: this.maxPerUser, noun: 'posts' },
      { authorId: author.id, title: dto.title, content: dto.content },
    );
    return this.get(post.id);
  }

  async update(
    editor: Principal,
    id: string,
    dto: UpdatePostDto,
  ): Promise<Post> {
    const post = await this.editable(editor, id);
    await this.posts.update({ id: post.id }, dto);
    return this.get(post.id);
  }

  async remove(editor: Principal, id: string): Promise<void> {
    const post = await this.editable(editor, id);
    await this.posts.delete({ id: post.id });
  }

  /**
   * The author may change a post; so may an admin, but only through a token that carries the
   * admin scope (`actsAsAdmin`): an admin's token narrowed to `posts:write` has a user's powers.
   */
  private async editable(editor: Principal, id: string): Promise<Post> {
    const post = await this.get(id);
    if (post.authorId !== editor.user.id && !actsAsAdmin(editor)) {
      this.securityLog.warn(
        `authorization failed: user ${editor.user.id} may not change post ${post.id}`,
      );
      throw new ForbiddenException(
        'Only the author or an admin may change this post',
      );
    }
    return post;
  }
}
