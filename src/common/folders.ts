import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/** A folder that cannot be made or written, as one line: the path, and why. */
export class FolderProblem extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path} ${reason}`);
    this.name = 'FolderProblem';
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'cannot be created or written (permission denied)',
  EPERM: 'cannot be created or written (operation not permitted)',
  EROFS: 'is on a read-only file system',
  ENOENT: 'cannot be created there',
  ENOSPC: 'cannot be created (no space left on the device)',
};

/**
 * Makes `path` and its missing parents, one at a time, and checks that the process may write
 * into it. `mkdirSync(path, { recursive: true })` would do the first part, but it spins forever on
 * a parent where mkdir answers ENOENT although it exists (`/proc/nope`), so a bad path would hang
 * start-up instead of failing it.
 */
export function ensureWritableFolder(path: string): void {
  const absolute = resolve(path);
  const parts = absolute.split(sep).filter(Boolean);
  let current = '';
  try {
    for (const part of parts) {
      current = `${current}${sep}${part}`;
      try {
        mkdirSync(current);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (!statSync(current).isDirectory())
          throw new FolderProblem(
            path,
            current === absolute
              ? 'is a file, not a folder'
              : `cannot be created: ${current} is a file, not a folder`,
          );
      }
    }
    accessSync(absolute, constants.W_OK | constants.X_OK);
  } catch (error) {
    if (error instanceof FolderProblem) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new FolderProblem(path, REASONS[code] ?? `cannot be used (${code})`);
  }
}
