import { ApiProperty } from '@nestjs/swagger';
import type { User } from '../../users/user.entity.js';
import type { Post } from '../post.entity.js';

export class PostAuthorDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'jane_doe' })
  username: string;

  @ApiProperty({ type: String, nullable: true, example: 'Jane Doe' })
  fullName: string | null;

  static from(user: User): PostAuthorDto {
    return { id: user.id, username: user.username, fullName: user.fullName };
  }
}

export class PostDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Hello, world' })
  title: string;

  @ApiProperty({ example: 'My first post.' })
  content: string;

  @ApiProperty({ type: PostAuthorDto })
  author: PostAuthorDto;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  /** `post.author` must be loaded. */
  static from(post: Post): PostDto {
    return {
      id: post.id,
      title: post.title,
      content: post.content,
      author: PostAuthorDto.from(post.author),
      createdAt: post.createdAt.toISOString(),
      updatedAt: post.updatedAt.toISOString(),
    };
  }
}
