import { Transform } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { defineSettings, toInteger } from '../config/setting-helpers.js';

/** Posts. docs/configuration.md lists each variable. */
export class PostsSettings {
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  MAX_POSTS_PER_USER = 1000;
}

export const postsSettings = defineSettings('posts', PostsSettings);
