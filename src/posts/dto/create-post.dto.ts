import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class CreatePostDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Hello, world' })
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiProperty({ minLength: 1, maxLength: 20000, example: 'My first post.' })
  @IsString()
  @Length(1, 20000)
  content: string;
}
