import { HttpException } from '@nestjs/common';

export const BEARER_REALM = 'warden';

/** An HttpException that carries response headers, applied by the global exception filter. */
export class HttpExceptionWithHeaders extends HttpException {
  constructor(
    response: string | Record<string, unknown>,
    status: number,
    readonly headers: Readonly<Record<string, string>>,
  ) {
    super(response, status);
  }
}
