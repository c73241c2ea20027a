import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PROBLEM_CODES } from './problem-types.js';

export class FieldProblemDto {
  @ApiProperty({
    description:
      'The field, as an RFC 6901 JSON Pointer into the body (or the query parameters)',
    example: '/email',
  })
  pointer: string;

  @ApiProperty({ example: 'email must be an email' })
  detail: string;
}

/**
 * RFC 9457 problem details (`application/problem+json`): the answer of every error outside the
 * OAuth endpoints.
 */
export class ProblemDetailsDto {
  @ApiProperty({
    description:
      'The kind of problem: `<server>/problems/<error>` (a page that describes it), or `about:blank` when the status says it all',
    example: 'about:blank',
  })
  type: string;

  @ApiProperty({
    description: "The kind's summary, the same for every occurrence",
    example: 'Bad Request',
  })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ description: 'This occurrence, in words' })
  detail: string;

  @ApiPropertyOptional({
    description:
      'The code to branch on, for the kinds that have one (the last segment of `type`)',
    enum: PROBLEM_CODES,
  })
  error?: string;

  @ApiPropertyOptional({
    description: 'With `validation_failed`: every field that failed, at once',
    type: [FieldProblemDto],
  })
  errors?: FieldProblemDto[];
}
