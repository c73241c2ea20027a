import type { INestApplication } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { ROUTE_AUTH, type RouteAuth } from '../../src/access/auth.decorator.js';
import { declaredRoutes } from './routes.js';

const root = resolve(import.meta.dirname, '../..');

export const ROUTE_TABLE_FILE = 'docs/architecture.md';
const BEGIN = '<!-- route-table:begin (npm run docs:routes rewrites it) -->';
const END = '<!-- route-table:end -->';

/** `src/...` files that declare each controller class, found by its `class X` line. */
function controllerFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = resolve(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.controller.ts'))
        for (const [, name] of readFileSync(path, 'utf8').matchAll(
          /^export class (\w+)/gm,
        ))
          files.set(name, relative(root, path));
    }
  };
  walk(resolve(root, 'src'));
  return files;
}

function describeAuth(auth: RouteAuth | undefined): string {
  if (!auth) return 'token';
  if (auth.mode !== 'token') return auth.mode;
  return [
    'token',
    ...auth.scopes.map((scope) => `\`${scope}\``),
    ...(auth.sensitive ? [`step-up \`${auth.sensitive}\``] : []),
  ].join(', ');
}

/** Rows padded as Prettier pads a Markdown table, so the written file stays formatted. */
function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, 3, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
  ].join('\n');
}

/**
 * The route → controller table of docs/architecture.md, built from Nest's route metadata: every
 * route, the file and method that serve it, and what the guard asks of the caller.
 */
export function routeTable(app: INestApplication): string {
  const files = controllerFiles();
  const rows = declaredRoutes(app)
    .map(({ route, controller, handler }) => {
      const auth =
        (Reflect.getMetadata(ROUTE_AUTH, handler) as RouteAuth | undefined) ??
        (Reflect.getMetadata(ROUTE_AUTH, controller) as RouteAuth | undefined);
      const [method, path] = route.split(' ');
      return [
        `\`${method} ${path.replace(/\{(\w+)\}/g, ':$1')}\``,
        `\`${files.get(controller.name) ?? `(no file declares ${controller.name})`}\``,
        `\`${controller.name}.${handler.name}\``,
        describeAuth(auth),
      ];
    })
    // Code-point order (not the locale's), so every machine writes the same file.
    .sort(([a], [b]) => {
      const key = (cell: string) =>
        `${cell.replaceAll('`', '').split(' ')[1]} ${cell}`;
      return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
    });
  return markdownTable(['route', 'file', 'handler', 'caller'], rows);
}

/** The table as the file has it now, or null when the markers are missing. */
export function documentedRouteTable(): string | null {
  const text = readFileSync(resolve(root, ROUTE_TABLE_FILE), 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) return null;
  return text.slice(start + BEGIN.length, end).trim();
}

/** Replaces the table between the markers (used by `npm run docs:routes`). */
export function writeRouteTable(table: string): string {
  const path = resolve(root, ROUTE_TABLE_FILE);
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start)
    throw new Error(`${ROUTE_TABLE_FILE} has no ${BEGIN} … ${END} markers`);
  return `${text.slice(0, start + BEGIN.length)}\n\n${table}\n\n${text.slice(end)}`;
}
