import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmdirSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RuntimeFailure, UserError } from '../errors.js';
import { makeDir } from '../util/mkdir.js';
import { readJson, schemaOf } from './json-file.js';
import { LOCK_FILE, lockRunDir, type RunLock } from './lock.js';
import { SUMMARY_SCHEMA, THROUGHPUT_SCHEMA, type SampleRecord } from './types.js';

/** The files of a run directory, by role. */
export const RUN_FILES = {
  manifest: 'run.json',
  samples: 'samples.jsonl',
  summary: 'summary.json',
  profile: 'profile.json',
  profilePage: 'profile.html',
  attention: 'attention.json',
  attentionPage: 'attention.html',
  lock: LOCK_FILE,
} as const;

/** What a run directory holds: a scored eval, a throughput run, a memory profile or an attention analysis. */
export type RunKind = 'eval' | 'throughput' | 'profile' | 'attention';

/** The folder's kind; 'empty' when missing or empty (a lock aside), 'other' when it holds files but no run. */
export function runKind(dir: string): RunKind | 'empty' | 'other' {
  if (!existsSync(dir)) return 'empty';
  if (!statSync(dir).isDirectory()) return 'other';
  const names = new Set(readdirSync(dir).filter((n) => n !== LOCK_FILE));
  if (names.size === 0) return 'empty';
  if (names.has(RUN_FILES.manifest)) return 'eval';
  if (names.has(RUN_FILES.profile)) return 'profile';
  if (names.has(RUN_FILES.attention)) return 'attention';
  if (names.has(RUN_FILES.summary)) {
    let schema: string | undefined;
    try {
      schema = schemaOf(readJson(join(dir, RUN_FILES.summary)));
    } catch {
      return 'other';
    }
    if (schema === SUMMARY_SCHEMA) return 'eval';
    if (schema === THROUGHPUT_SCHEMA) return 'throughput';
  }
  return 'other';
}

/**
 * results/<name>-<UTC timestamp> under the current folder: sortable by time, readable at a glance, and
 * where the user (and `view`, `publish`, a CI artifact step) looks, not inside the installed package.
 * EMOBENCH_RESULTS_DIR names another folder (the test suite points it at a temp folder, so tests never
 * write into the repository).
 */
export function defaultRunDir(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const root = process.env['EMOBENCH_RESULTS_DIR'] || resolve('results');
  return resolve(root, `${name}-${stamp}`);
}

/** A run directory this process writes, locked until `release`. */
export interface OpenRunDir {
  dir: string;
  samples: string;
  summary: string;
  /**
   * Unlocks. `failed`: the command did not finish, and a folder it created that still holds nothing is
   * removed, so a failed command leaves no empty run folder behind.
   */
  release(opts?: { failed?: boolean }): void;
}

export interface OpenRunDirOptions {
  /** The folder the user named; undefined: a new results/<defaultName>-<timestamp>. */
  out: string | undefined;
  defaultName: string;
  kind: RunKind;
  /** What writes, for the lock's refusal message (e.g. "eval"). */
  command: string;
  /** The option that named `out`, for messages. */
  flag: string;
  /** Whether a run of the same kind may be written over (a profile re-measured), or refused (an eval: resume it). */
  existing: 'refuse' | 'overwrite';
}

/**
 * Creates (or opens) a run directory and takes its lock. A default name is claimed with a
 * non-recursive mkdir, which fails if the folder exists, so two runs started in the same second each
 * get their own folder (the second gets a -2 suffix). A named folder must be new, empty or a run of
 * the same kind: a user's folder of other files is never written into.
 */
export function openRunDir(o: OpenRunDirOptions): OpenRunDir {
  if (o.out !== undefined && o.out.trim() === '') throw new UserError(`${o.flag} "": name a folder for the run (or leave ${o.flag} out for results/${o.defaultName}-<timestamp>)`);
  const { dir, created } = o.out === undefined ? claimDefault(o.defaultName) : createNamed(resolve(o.out), o.flag);
  let lock: RunLock;
  try {
    lock = lockRunDir(dir, o.command);
  } catch (e) {
    if (created) removeIfEmpty(dir);
    throw e;
  }
  try {
    // Checked under the lock: a run that finished between a check and the lock is still seen.
    const kind = runKind(dir);
    if (kind === 'other' || (kind !== 'empty' && kind !== o.kind)) {
      const found = readdirSync(dir).filter((n) => n !== LOCK_FILE);
      throw new UserError(
        `${o.flag} ${dir}: the folder is not empty and holds no ${o.kind} run (${kind === 'other' ? '' : `it holds ${kind === 'eval' || kind === 'attention' ? 'an' : 'a'} ${kind} run; `}found ${found.slice(0, 5).join(', ')}${found.length > 5 ? ', …' : ''}); choose a new or empty folder`,
      );
    }
    if (kind === o.kind && o.existing === 'refuse') {
      throw new UserError(`${dir} already holds a run: ${o.kind === 'eval' ? `use --resume ${dir} to continue it, or choose another ${o.flag}` : `choose another ${o.flag}`}`);
    }
  } catch (e) {
    lock.release();
    if (created) removeIfEmpty(dir);
    throw e;
  }
  return {
    dir,
    samples: join(dir, RUN_FILES.samples),
    summary: join(dir, RUN_FILES.summary),
    release: (opts = {}) => {
      lock.release();
      if (opts.failed && created) removeIfEmpty(dir);
    },
  };
}

/** Locks an existing run directory for a writer that continues or rewrites it (resume, rescore). */
export function lockExistingRunDir(dir: string, command: string): RunLock {
  return lockRunDir(resolve(dir), command);
}

function createNamed(dir: string, flag: string): { dir: string; created: boolean } {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UserError(`${flag} ${dir}: is a file, not a folder`);
    return { dir, created: false };
  }
  try {
    makeDir(dir);
  } catch (e) {
    throw new RuntimeFailure(`cannot create run directory ${dir}: ${(e as Error).message}`);
  }
  return { dir, created: true };
}

function claimDefault(name: string): { dir: string; created: boolean } {
  const base = defaultRunDir(name);
  try {
    makeDir(dirname(base));
  } catch (e) {
    throw new RuntimeFailure(`cannot create ${dirname(base)}: ${(e as Error).message}`);
  }
  for (let n = 1; n < 1000; n++) {
    const dir = n === 1 ? base : `${base}-${n}`;
    try {
      mkdirSync(dir);
      return { dir, created: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new RuntimeFailure(`cannot create run directory ${dir}: ${(e as Error).message}`);
    }
  }
  throw new RuntimeFailure(`cannot find a free run directory name next to ${base}`);
}

function removeIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // already gone, or not ours to remove
  }
}

/**
 * Appends samples one line per write(2) call, so a crash leaves only whole lines behind (plus, at
 * worst, one torn last line that a reader can detect).
 */
export class SampleWriter {
  private fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  write(rec: SampleRecord): void {
    writeSync(this.fd, `${JSON.stringify(rec)}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}
