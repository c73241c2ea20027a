// Builds dist/ with `nest build` only when a source or build setting is newer than the last
// build, so `npm start` serves in about a second after the first time (a build takes 7-40 s on
// a 2-core machine). `--force` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'dist/.build-stamp';
const INPUTS = [
  'src',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its folder's mtime
  for (const entry of readdirSync(path))
    newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const built =
  existsSync(STAMP) && existsSync('dist/main.js') ? statSync(STAMP).mtimeMs : 0;
const changed = Math.max(...INPUTS.map(newestMtime));
if (process.argv.includes('--force') || changed >= built) {
  console.log(
    built === 0 ? 'Building (first start)…' : 'Sources changed: rebuilding…',
  );
  const result = spawnSync('npx', ['nest', 'build'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}
