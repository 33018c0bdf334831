import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * mkdir -p, one level at a time. Node's `mkdirSync(path, { recursive: true })` never returns for a
 * path under /proc (it retries ENOENT forever at 100% CPU); creating each missing level ourselves
 * fails there with ENOENT like anywhere else.
 */
export function makeDir(path: string): void {
  const missing: string[] = [];
  let p = resolve(path);
  for (;;) {
    try {
      statSync(p);
      break;
    } catch {
      missing.push(p);
      const parent = dirname(p);
      if (parent === p) break;
      p = parent;
    }
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (e) {
      // Another process made it in between: fine.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
