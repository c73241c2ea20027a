import {
  Controller,
  Get,
  Header,
  NotFoundException,
  Param,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../access/auth.decorator.js';
import {
  isProblemCode,
  PROBLEM_TYPES,
  PROBLEMS_PATH,
} from './problem-types.js';

const escapeHtml = (text: string): string =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

/** Markdown's `code` spans as <code>, the rest as text. */
const withCode = (text: string): string =>
  escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

/**
 * The page each problem type URI leads to (RFC 9457 §3.1.1 asks that it document the kind):
 * what it means and what to do, from `PROBLEM_TYPES`.
 */
@ApiExcludeController()
@Public()
@Controller(PROBLEMS_PATH)
export class ProblemsController {
  @Get(':code')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  describe(@Param('code') code: string): string {
    if (!isProblemCode(code))
      throw new NotFoundException('No such kind of problem');
    const { title, status, description } = PROBLEM_TYPES[code];
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(code)}</title></head><body><main><h1><code>${escapeHtml(code)}</code>: ${escapeHtml(title)}</h1><p>Usually answered with HTTP ${status}, as <code>application/problem+json</code> with <code>"error": "${escapeHtml(code)}"</code>.</p><p>${withCode(description)}</p></main></body></html>`;
  }
}
