import { closeSync, existsSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';

/**
 * An exclusive lock on a run directory, held by every writer (eval, resume, merge output, rescore,
 * throughput, profile, attention) for as long as it writes, so two processes never append to one
 * samples.jsonl. The lock is a file created with O_EXCL holding the holder's PID, host and process
 * start time: a lock whose process is gone (killed with -9, say) is seen as stale at once and taken
 * over, and a refusal names the holder. Written here rather than taken from a lock-file library
 * because those detect staleness by age (a live run that is slow looks dead; a dead one blocks for
 * minutes) and cannot name the holder's PID.
 */
export const LOCK_FILE = 'run.lock';

interface LockInfo {
  pid: number;
  host: string;
  /** Kernel start time of the holder (Linux), so a recycled PID is not mistaken for the holder. */
  start: string | null;
  command: string;
  since: string;
}

const held = new Set<string>();
let exitHook = false;

export interface RunLock {
  readonly path: string;
  release(): void;
}

/** Process state and start time from /proc (Linux); undefined elsewhere or when the process is gone. */
function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, start: fields[19]! };
  } catch {
    return undefined;
  }
}

function alive(info: LockInfo): boolean {
  // Another machine's process (a shared file system) cannot be checked from here: assume it runs.
  if (info.host !== hostname()) return true;
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const stat = procStat(info.pid);
  if (stat === undefined) return existsSync('/proc/self/stat') ? false : true;
  // A zombie has exited; a different start time means the PID now belongs to another process.
  return stat.state !== 'Z' && (info.start === null || info.start === stat.start);
}

function readLock(path: string): { info: LockInfo | undefined; raw: string } | undefined {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const info = JSON.parse(raw) as LockInfo;
    return { info: typeof info.pid === 'number' ? info : undefined, raw };
  } catch {
    return { info: undefined, raw };
  }
}

function describeHolder(info: LockInfo): string {
  return `process ${info.pid}${info.host !== hostname() ? ` on ${info.host}` : ''} (${info.command}, since ${info.since})`;
}

/**
 * Takes the lock of `dir` or throws a UserError naming the process that holds it. `command` says
 * what holds it, for that message.
 */
export function lockRunDir(dir: string, command: string): RunLock {
  const path = join(dir, LOCK_FILE);
  if (held.has(path)) throw new UserError(`${dir} is in use by this process (${command} twice at once)`);
  const info: LockInfo = { pid: process.pid, host: hostname(), start: procStat(process.pid)?.start ?? null, command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${JSON.stringify(info)}\n`);
      } finally {
        closeSync(fd);
      }
      held.add(path);
      if (!exitHook) {
        exitHook = true;
        // process.exit() (a second Ctrl-C) runs no finally blocks; the lock goes with the process anyway.
        process.on('exit', () => {
          for (const p of held) unlinkQuietly(p);
        });
      }
      return {
        path,
        release: () => {
          if (held.delete(path)) unlinkQuietly(path);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UserError(`${dir}: cannot create ${LOCK_FILE}: ${(e as Error).message}`);
    }
    const found = readLock(path);
    if (found === undefined) continue;
    if (found.info === undefined) {
      // A lock being written this instant has no content yet; one that stays unreadable is debris.
      if (Date.now() - mtimeMs(path) < 2000) throw new UserError(`${dir} is being locked by another process; try again`);
    } else if (alive(found.info)) {
      throw new UserError(`${dir} is in use by ${describeHolder(found.info)}; wait for it to finish or stop it (if that process is gone, delete ${path})`);
    }
    takeOver(path, found.raw);
  }
  throw new UserError(`${dir}: could not take ${LOCK_FILE} (other processes keep taking it)`);
}

/**
 * Removes a stale lock, unless another process has replaced it meanwhile: the file is moved aside
 * (only one mover can win), and if what was moved is not the stale lock that was read, it goes back.
 */
function takeOver(path: string, staleRaw: string): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  let movedRaw = '';
  try {
    movedRaw = readFileSync(aside, 'utf8');
  } catch {
    // gone already: nothing to put back
  }
  if (movedRaw !== staleRaw) {
    try {
      linkSync(aside, path);
    } catch {
      // A third process locked meanwhile; its lock stands and the one moved aside is lost to it.
    }
  }
  unlinkQuietly(aside);
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
