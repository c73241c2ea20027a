import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HttpExceptionWithHeaders } from '../../common/http-exception-with-headers.js';
import { errorPage } from './pages.js';

/**
 * The hosted pages answer their HTTP errors (a form that is not a form, a CSRF failure, a rate
 * limit) with a page a person can read; everything else goes on to the global filter.
 */
@Catch(HttpException)
export class HostedPageFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message =
      typeof response === 'object' &&
      response !== null &&
      'message' in response &&
      typeof response.message === 'string'
        ? response.message
        : exception.message;
    if (exception instanceof HttpExceptionWithHeaders)
      void reply.headers(exception.headers);
    void reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .send(errorPage('Something went wrong', message));
  }
}
