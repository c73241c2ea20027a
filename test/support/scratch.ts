import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const scratchDirectories: string[] = [];

/** A folder of its own under the system's temporary folder, removed after the test file. */
export function scratchDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-'));
  scratchDirectories.push(dir);
  return dir;
}

export function removeScratchDirectories(): void {
  for (const dir of scratchDirectories.splice(0))
    rmSync(dir, { recursive: true, force: true });
}
