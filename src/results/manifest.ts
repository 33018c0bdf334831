import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { stableStringify } from '../util/hash.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { RUN_FILES } from './run-dir.js';
import { ManifestSchema } from './schemas.js';
import { MANIFEST_SCHEMA, type RunManifest } from './types.js';

/**
 * run.json: what a run directory was made from, written before the first sample. Resume and merge
 * compare manifests so that samples from a different suite, dataset, model or seed are never mixed.
 */
export function writeManifest(dir: string, m: RunManifest): void {
  writeJsonFile(join(dir, RUN_FILES.manifest), m);
}

export function readManifest(dir: string): RunManifest {
  const path = join(dir, RUN_FILES.manifest);
  if (!existsSync(path)) throw new UserError(`${dir} is not an emobench run directory (no ${RUN_FILES.manifest})`);
  return readJsonFile(path, ManifestSchema, { what: 'an emobench run manifest', schemas: [MANIFEST_SCHEMA] });
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
