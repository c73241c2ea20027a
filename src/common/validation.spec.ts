import { Type } from 'class-transformer';
import { IsInt, IsString, Max, ValidateNested } from 'class-validator';
import { ProblemException } from '../problems/problem.exception.js';
import { validationPipe } from './validation.js';

class Tag {
  @IsString()
  'a/b~c': string;
}

class Note {
  @IsInt()
  @Max(10)
  size: number;

  @ValidateNested({ each: true })
  @Type(() => Tag)
  tags: Tag[];
}

async function problemOf(body: unknown): Promise<Record<string, unknown>> {
  try {
    await validationPipe.transform(body, { type: 'body', metatype: Note });
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    return (error as ProblemException).getResponse() as Record<string, unknown>;
  }
  throw new Error('the body was accepted');
}

describe('validation problems (RFC 9457 with RFC 6901 pointers)', () => {
  it('lists every failed field at once, each at its pointer, nested ones and escaped names included', async () => {
    const problem = await problemOf({
      size: 'big',
      tags: [{ 'a/b~c': 'ok' }, { 'a/b~c': 7 }],
      extra: true,
    });
    expect(problem.error).toBe('validation_failed');
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/size', detail: 'size must not be greater than 10' },
        { pointer: '/size', detail: 'size must be an integer number' },
        { pointer: '/tags/1/a~1b~0c', detail: 'a/b~c must be a string' },
        { pointer: '/extra', detail: 'property extra should not exist' },
      ]),
    );
    expect((problem.errors as unknown[]).length).toBe(4);
    expect(problem.detail).toContain('size must be an integer number');
  });
});
