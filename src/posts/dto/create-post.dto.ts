import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { MultiLineText, SingleLineText } from '../../common/text-fields.js';

export class CreatePostDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Hello, world' })
  @IsString()
  @Length(1, 200)
  @SingleLineText()
  title: string;

  @ApiProperty({ minLength: 1, maxLength: 20000, example: 'My first post.' })
  @IsString()
  @Length(1, 20000)
  @MultiLineText()
  content: string;
}
