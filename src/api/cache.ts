import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { sha256, stableStringify } from '../util/hash.js';
import { makeDir } from '../util/mkdir.js';

/**
 * On-disk response cache for API calls, keyed by the full request (endpoint, model, messages,
 * sampling settings, repeat index). Entries never expire: a cached answer is only ever replaced by
 * running with --no-cache. One file per entry, written atomically under a temp name unique to the writer, so concurrent runs
 * storing the same key and kills cannot corrupt it.
 */
export class ResponseCache {
  constructor(readonly dir: string) {}

  static key(request: unknown): string {
    return sha256(stableStringify(request));
  }

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get<T>(key: string): T | undefined {
    const p = this.path(key);
    if (!existsSync(p)) return undefined;
    try {
      return (JSON.parse(readFileSync(p, 'utf8')) as { response: T }).response;
    } catch {
      // A damaged entry is a miss; the fresh response overwrites it.
      return undefined;
    }
  }

  set(key: string, request: unknown, response: unknown): void {
    const p = this.path(key);
    makeDir(join(this.dir, key.slice(0, 2)));
    writeFileAtomic(p, JSON.stringify({ request, response, stored_at: new Date().toISOString() }));
  }
}
