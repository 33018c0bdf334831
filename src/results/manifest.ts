import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { ColumnMapping } from '../datasets/types.js';
import type { Decoding } from '../run/eval.js';
import { stableStringify } from '../util/hash.js';
import { writeFileAtomic } from './run-dir.js';

/**
 * run.json: what a run directory was made from, written before the first sample. Resume and merge
 * compare manifests so that samples from a different suite, dataset, model or seed are never mixed.
 */
export const MANIFEST_SCHEMA = 'emobench.run/1';

export interface Shard {
  index: number;
  count: number;
}

export interface RunManifest {
  schema: typeof MANIFEST_SCHEMA;
  suite: { name: string; file: string; sha256: string };
  /** `spec` is the --dataset given, absent when the suite's own dataset was used. */
  dataset: { spec?: string; path: string; sha256: string };
  models: { spec: string; config_hash: string }[];
  seed: number;
  limit: number | null;
  shard: Shard | null;
  lenient: boolean;
  /** --columns / --labels, when given: they change which rows and labels a run reads. */
  mapping?: ColumnMapping;
  /** Decoding settings for chat models (and sweep, shots, CoT): they change predictions, so resume must not mix them. */
  sampling: Decoding;
}

export function writeManifest(dir: string, m: RunManifest): void {
  writeFileAtomic(join(dir, 'run.json'), `${JSON.stringify(m, null, 2)}\n`);
}

export function readManifest(dir: string): RunManifest {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) throw new UserError(`${dir} is not an emobench run directory (no run.json)`);
  let m: RunManifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as RunManifest;
  } catch (e) {
    throw new UserError(`${path}: invalid JSON: ${(e as Error).message}`);
  }
  if (m.schema !== MANIFEST_SCHEMA) throw new UserError(`${path}: unsupported schema "${String(m.schema)}" (expected ${MANIFEST_SCHEMA})`);
  return m;
}

/** Human-readable differences between two manifests, ignoring the shard (merge compares those itself). */
export function manifestDifferences(a: RunManifest, b: RunManifest): string[] {
  const diffs: string[] = [];
  if (a.suite.name !== b.suite.name) diffs.push(`suite ${a.suite.name} ≠ ${b.suite.name}`);
  else if (a.suite.sha256 !== b.suite.sha256) diffs.push(`suite file ${a.suite.name} changed (sha256 ${a.suite.sha256.slice(0, 12)} ≠ ${b.suite.sha256.slice(0, 12)})`);
  if (a.dataset.sha256 !== b.dataset.sha256) diffs.push(`dataset changed (${a.dataset.path} sha256 ${a.dataset.sha256.slice(0, 12)} ≠ ${b.dataset.path} ${b.dataset.sha256.slice(0, 12)})`);
  const specs = (m: RunManifest) => m.models.map((x) => x.spec).join(', ');
  if (specs(a) !== specs(b)) diffs.push(`models [${specs(a)}] ≠ [${specs(b)}]`);
  else {
    a.models.forEach((x, i) => {
      if (x.config_hash !== b.models[i]!.config_hash) diffs.push(`model ${x.spec} config changed (${x.config_hash} ≠ ${b.models[i]!.config_hash})`);
    });
  }
  if (a.seed !== b.seed) diffs.push(`seed ${a.seed} ≠ ${b.seed}`);
  if (a.limit !== b.limit) diffs.push(`limit ${a.limit} ≠ ${b.limit}`);
  if (stableStringify(a.sampling) !== stableStringify(b.sampling)) diffs.push(`sampling ${stableStringify(a.sampling)} ≠ ${stableStringify(b.sampling)}`);
  return diffs;
}
