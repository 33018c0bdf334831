import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from '../errors.js';
import { pkgPath } from '../util/paths.js';

/**
 * Saved classical baselines (`emobench train --kind tfidf|nb`, loaded by `tfidf:<dir>` / `nb:<dir>`):
 * one gzipped JSON file per model, `<kind>.json.gz`, holding a format name and version, what the
 * model was trained on (every source file's sha256 and a hash of the exact rows), and the model.
 * A reader refuses other versions rather than guessing at a changed layout.
 */
export const BASELINE_FORMAT_VERSION = 1;
export type BaselineKind = 'tfidf' | 'nb';

export interface TrainingRecord {
  /** One entry per --data spec: the file read, its sha256, rows used (before repetition), repeat count. */
  data: { spec: string; file: string; sha256: string; rows: number; repeat: number }[];
  augment: string[];
  seed: number;
  /** Rows fitted on, repeats and augmentation included. */
  rows: number;
  /** sha256 over the fitted rows (label, text), in order: two models with equal hashes saw the same rows. */
  rowsSha256: string;
}

interface BaselineFile<S> {
  format: `emobench-${BaselineKind}`;
  version: number;
  training: TrainingRecord;
  model: S;
}

export function baselinePath(dir: string, kind: BaselineKind): string {
  return join(dir, `${kind}.json.gz`);
}

export function saveBaseline<S>(dir: string, kind: BaselineKind, model: S, training: TrainingRecord): string {
  mkdirSync(dir, { recursive: true });
  const file: BaselineFile<S> = { format: `emobench-${kind}`, version: BASELINE_FORMAT_VERSION, training, model };
  const path = baselinePath(dir, kind);
  // Written beside and renamed, so a crash never leaves half a model under the real name.
  writeFileSync(`${path}.tmp`, gzipSync(JSON.stringify(file), { level: 9 }));
  renameSync(`${path}.tmp`, path);
  return path;
}

/**
 * A relative directory is looked up from the working directory, then inside the emobench package, so
 * a suite's `tfidf:models/<name>` finds a shipped baseline wherever emobench runs.
 */
export function loadBaseline(dir: string, kind: BaselineKind): { model: unknown; training: TrainingRecord; path: string } {
  const local = baselinePath(resolve(dir), kind);
  const shipped = isAbsolute(dir) ? local : baselinePath(pkgPath(dir), kind);
  const path = existsSync(local) || !existsSync(shipped) ? local : shipped;
  if (!existsSync(path)) throw new UserError(`${kind}:${dir}: no ${kind}.json.gz there (train one with: emobench train --kind ${kind} --data … --out ${dir})`);
  let parsed: Partial<BaselineFile<unknown>>;
  try {
    parsed = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as Partial<BaselineFile<unknown>>;
  } catch (e) {
    throw new UserError(`${path}: not a gzipped JSON baseline file (${(e as Error).message})`);
  }
  if (parsed.format !== `emobench-${kind}`) throw new UserError(`${path}: format is ${JSON.stringify(parsed.format)}, expected "emobench-${kind}"`);
  if (parsed.version !== BASELINE_FORMAT_VERSION) {
    throw new UserError(`${path}: format version ${JSON.stringify(parsed.version)} is not supported (this emobench reads version ${BASELINE_FORMAT_VERSION}); retrain it with emobench train --kind ${kind}`);
  }
  if (!parsed.training || !Array.isArray(parsed.training.data)) throw new UserError(`${path}: the "training" record is missing`);
  return { model: parsed.model, training: parsed.training, path };
}
