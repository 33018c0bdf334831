import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RuntimeFailure } from '../errors.js';
import type { SampleRecord, Summary, ThroughputSummary } from './types.js';

/**
 * results/<suite>-<UTC timestamp>: sortable by time, readable at a glance. Relative to the working
 * directory, like the `results` folder `view` and `publish` read and the `results/emotion-*` globs the
 * README passes to `report`: results belong to whoever runs the command, not to the installed package.
 */
export function defaultRunDir(suite: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return resolve('results', `${suite}-${stamp}`);
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

export function prepareRunDir(dir: string): { dir: string; samples: string; summary: string } {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true });
  } catch (e) {
    throw new RuntimeFailure(`cannot create run directory ${abs}: ${(e as Error).message}`);
  }
  return { dir: abs, samples: join(abs, 'samples.jsonl'), summary: join(abs, 'summary.json') };
}

/** Write-then-rename: a reader never sees a half-written file. */
export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

export function writeSummary(path: string, summary: Summary | ThroughputSummary): void {
  writeFileAtomic(path, `${JSON.stringify(summary, null, 2)}\n`);
}
