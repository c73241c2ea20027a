import { until } from './until.js';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, scratchDirectory } from './server-process.js';

/**
 * A Redis or PostgreSQL server of the test's own, so that the test can freeze (SIGSTOP), thaw
 * (SIGCONT) or stop it without touching the machine's shared ones. Each runs in a process group
 * of its own: PostgreSQL serves every connection from a child process, and freezing the group
 * freezes them all.
 */
export interface OwnService {
  url: string;
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined) process.kill(-child.pid, signal);
}

async function waitUntil(ready: () => boolean, what: string): Promise<void> {
  await until(ready, Boolean, { what: `${what} starting` });
}

export async function ownRedis(): Promise<OwnService> {
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { detached: true, stdio: 'ignore' },
    );
    await waitUntil(() => {
      try {
        return execFileSync('redis-cli', ['-p', String(port), 'ping'], {
          encoding: 'utf8',
          timeout: 2000,
        }).includes('PONG');
      } catch {
        return false;
      }
    }, 'Redis');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    freeze: () => signalGroup(child, 'SIGSTOP'),
    thaw: () => signalGroup(child, 'SIGCONT'),
    stop: async () => {
      signalGroup(child, 'SIGCONT');
      signalGroup(child, 'SIGKILL');
      await sleep(100);
    },
    start,
  };
}

/** The Debian PostgreSQL binaries' folder, or undefined when there are none. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().at(-1);
  return version ? join(root, version, 'bin') : undefined;
}

/**
 * A fresh PostgreSQL cluster under a scratch folder, run as the `postgres` user (PostgreSQL
 * refuses to run as root, so this needs root), with trust authentication on 127.0.0.1.
 * Freezing stops the postmaster and every process it has forked: each backend is a session
 * leader of its own, so a signal to the postmaster's group would miss them.
 */
export async function ownPostgres(): Promise<OwnService> {
  const bin = postgresBin();
  if (!bin) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  const port = await freePort();
  const dir = scratchDirectory();
  chmodSync(dir, 0o700);
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  const asPostgres = {
    uid: id('-u'),
    gid: id('-g'),
    env: { PATH: process.env.PATH, LANG: 'C.UTF-8' },
  };
  chownSync(dir, asPostgres.uid, asPostgres.gid);
  const data = join(dir, 'data');
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'],
    { ...asPostgres, stdio: 'ignore', timeout: 60_000 },
  );
  let postmaster: ChildProcess;
  const processes = (): number[] => {
    const pid = postmaster.pid;
    if (pid === undefined) return [];
    let children: number[] = [];
    try {
      children = execFileSync('pgrep', ['-P', String(pid)], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      // pgrep exits 1 when there are none.
    }
    return [pid, ...children];
  };
  const signalAll = (signal: NodeJS.Signals) => {
    for (const pid of processes()) {
      try {
        process.kill(pid, signal);
      } catch {
        // Gone already.
      }
    }
  };
  const start = async () => {
    postmaster = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
      ],
      { ...asPostgres, stdio: 'ignore' },
    );
    await waitUntil(() => {
      try {
        execFileSync(
          join(bin, 'pg_isready'),
          ['-q', '-h', '127.0.0.1', '-p', String(port)],
          { timeout: 2000 },
        );
        return true;
      } catch {
        return false;
      }
    }, 'PostgreSQL');
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    freeze: () => signalAll('SIGSTOP'),
    thaw: () => signalAll('SIGCONT'),
    stop: async () => {
      signalAll('SIGCONT');
      // Fast shutdown: the postmaster ends its backends itself.
      postmaster.kill('SIGINT');
      const deadline = Date.now() + 15_000;
      while (postmaster.exitCode === null && postmaster.signalCode === null) {
        if (Date.now() > deadline) postmaster.kill('SIGKILL');
        await sleep(100);
      }
    },
    start,
  };
}
