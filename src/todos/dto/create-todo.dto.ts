import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsOptional,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { MultiLineText, SingleLineText } from '../../common/text-fields.js';

export class CreateTodoDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Buy milk' })
  @IsString()
  @Length(1, 200)
  @SingleLineText()
  title: string;

  @ApiPropertyOptional({
    type: String,
    maxLength: 20000,
    nullable: true,
    example: 'Semi-skimmed, two litres',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  @MultiLineText()
  description?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  done?: boolean;
}
