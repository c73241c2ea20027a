import type { Type } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * Query integers are plain decimal digits only: `1e20`, `0x10`, ` 5` and `5.0` stay strings and
 * fail `@IsInt`, so what the database receives is what the bounds allowed.
 */
const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;

/** The largest offset a list accepts: PostgreSQL's and SQLite's integer range covers it. */
export const MAX_OFFSET = 2_147_483_647;

/** `?limit&offset` of every list: limit 1-100 (default 20), offset 0-2^31-1 (default 0). */
export class PaginationQueryDto {
  // The type is explicit: `limit = 20` carries no type annotation, so the emitted design type
  // (and Swagger's guess from it) would be Object.
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 20,
  })
  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'limit must be an integer from 1 to 100' })
  @Min(1)
  @Max(100)
  limit = 20;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_OFFSET,
    default: 0,
  })
  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: `offset must be an integer from 0 to ${MAX_OFFSET}` })
  @Min(0)
  @Max(MAX_OFFSET)
  offset = 0;
}

/** The header that carries a list's total size; the body stays a plain JSON array. */
export const TOTAL_COUNT_HEADER = 'X-Total-Count';

/** Documents a list route: an array of `type`, with its total in `X-Total-Count`. */
export const ApiPageResponse = (type: Type, total: string) =>
  ApiOkResponse({
    type,
    isArray: true,
    headers: {
      [TOTAL_COUNT_HEADER]: { description: total, schema: { type: 'integer' } },
    },
  });

/** A page as a list route answers it: the rows as DTOs, their total in `X-Total-Count`. */
export function sendPage<Row, Dto>(
  reply: FastifyReply,
  [rows, total]: readonly [Row[], number],
  toDto: (row: Row) => Dto,
): Dto[] {
  void reply.header(TOTAL_COUNT_HEADER, total);
  return rows.map(toDto);
}
