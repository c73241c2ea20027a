import {
  ForbiddenException,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import type { Settings } from '../config/settings.js';
import { Repository } from 'typeorm';
import {
  type ColumnCodec,
  columnCodec,
  ListSelect,
} from '../database/raw-select.js';
import { actsAsAdmin, type UserPrincipal } from '../access/principal.js';
import { OwnerQuota } from '../database/owner-quota.js';
import type { User } from '../users/user.entity.js';
import type { CreatePostDto } from './dto/create-post.dto.js';
import type { ListPostsQueryDto } from './dto/list-posts-query.dto.js';
import type { UpdatePostDto } from './dto/update-post.dto.js';
import { Post } from './post.entity.js';

/** The post and its author's public fields only: never a hash or an email. */
const POST_COLUMNS = [
  '"post"."id"',
  '"post"."authorId"',
  '"post"."title"',
  '"post"."content"',
  '"post"."createdAt"',
  '"post"."updatedAt"',
  '"author"."username" AS "authorUsername"',
  '"author"."fullName" AS "authorFullName"',
].join(', ');

interface RawPost {
  id: string;
  authorId: string;
  title: string;
  content: string;
  createdAt: unknown;
  updatedAt: unknown;
  authorUsername: string;
  authorFullName: string | null;
}

/**
 * Posts are public to read. Only their author, or an admin, may change or delete them; since a
 * post's existence is public anyway, anyone else gets 403 rather than 404.
 */
@Injectable()
export class PostsService {
  private readonly securityLog = new Logger('Security');
  private readonly maxPerUser: number;
  private readonly codecs: Record<'createdAt' | 'updatedAt', ColumnCodec>;
  private readonly lists: Record<'all' | 'byAuthor', ListSelect<RawPost, Post>>;

  constructor(
    @InjectRepository(Post) private readonly posts: Repository<Post>,
    private readonly quota: OwnerQuota,
    config: ConfigService<Settings, true>,
  ) {
    this.maxPerUser = config.get('posts.MAX_POSTS_PER_USER', { infer: true });
    this.codecs = {
      createdAt: columnCodec(posts, 'createdAt'),
      updatedAt: columnCodec(posts, 'updatedAt'),
    };
    const list = (where?: string) =>
      new ListSelect<RawPost, Post>(
        posts,
        {
          columns: POST_COLUMNS,
          from: '"posts" "post"',
          join: 'INNER JOIN "users" "author" ON "author"."id" = "post"."authorId"',
          where,
          orderBy: '"post"."createdAt" DESC, "post"."id" DESC',
        },
        (raw) => this.hydrate(raw),
      );
    this.lists = {
      all: list(),
      byAuthor: list('"post"."authorId" = ?'),
    };
  }

  /**
   * A page of posts, newest first, and how many there are: two prepared statements, each served
   * by an index (`IDX_posts_created_id`, or `IDX_posts_author_created_id` with `authorId`). The
   * page joins only the author's public fields (a many-to-one join cannot multiply rows, so
   * plain LIMIT/OFFSET is right); the count reads the index alone.
   */
  list(query: ListPostsQueryDto): Promise<[Post[], number]> {
    return this.listFor(query).fetch(this.listParameters(query), query);
  }

  /** The page's SQL and parameters; for the query-plan test. */
  pageStatement(query: ListPostsQueryDto): [string, unknown[]] {
    return this.listFor(query).pageStatement(this.listParameters(query), query);
  }

  private listFor(query: ListPostsQueryDto): ListSelect<RawPost, Post> {
    return query.authorId === undefined ? this.lists.all : this.lists.byAuthor;
  }

  private listParameters(query: ListPostsQueryDto): unknown[] {
    return query.authorId === undefined ? [] : [query.authorId];
  }

  private hydrate(raw: RawPost): Post {
    const author = {
      id: raw.authorId,
      username: raw.authorUsername,
      fullName: raw.authorFullName,
    } as User;
    return {
      id: raw.id,
      authorId: raw.authorId,
      author,
      title: raw.title,
      content: raw.content,
      createdAt: this.codecs.createdAt.fromDatabase(raw.createdAt) as Date,
      updatedAt: this.codecs.updatedAt.fromDatabase(raw.updatedAt) as Date,
    };
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
  async create(authorId: string, dto: CreatePostDto): Promise<Post> {
    const post = await this.quota.insert(
      Post,
      { id: authorId, where: { authorId } },
      { max: this.maxPerUser, noun: 'posts' },
      { authorId, title: dto.title, content: dto.content },
    );
    return this.get(post.id);
  }

  async update(
    editor: UserPrincipal,
    id: string,
    dto: UpdatePostDto,
  ): Promise<Post> {
    const post = await this.editable(editor, id);
    await this.posts.update({ id: post.id }, dto);
    return this.get(post.id);
  }

  async remove(editor: UserPrincipal, id: string): Promise<void> {
    const post = await this.editable(editor, id);
    await this.posts.delete({ id: post.id });
  }

  /**
   * The author may change a post; so may an admin, but only through a token that carries the
   * admin scope (`actsAsAdmin`): an admin's token narrowed to `posts:write` has a user's powers.
   */
  private async editable(editor: UserPrincipal, id: string): Promise<Post> {
    const post = await this.get(id);
    if (post.authorId !== editor.userId && !actsAsAdmin(editor)) {
      this.securityLog.warn(
        `authorization failed: user ${editor.userId} may not change post ${post.id}`,
      );
      throw new ForbiddenException(
        'Only the author or an admin may change this post',
      );
    }
    return post;
  }
}
