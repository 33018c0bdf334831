import { statSync } from 'node:fs';
import { readRows, type DatasetFile } from '../datasets/load.js';
import type { DatasetStats, LoadOptions, Row } from '../datasets/types.js';
import { RowValidator } from '../datasets/validate.js';
import { RuntimeFailure, UserError } from '../errors.js';
import type { Shard } from '../results/types.js';
import type { DatasetSpec } from '../suites/schema.js';
import { sha256File } from '../util/hash.js';
import { seededShuffle } from '../util/rng.js';
import { shardOf } from './shard.js';

/** The rows a run scores: counted up front, their texts read from the file again on each pass. */
export interface EvalRows {
  count: number;
  /** The rows in file order; every call reads the file anew, so no pass holds more than a row. */
  read(): AsyncGenerator<Row>;
}

export interface RunRows {
  dataset: DatasetStats;
  evalRows: EvalRows;
  /** Kept whole: baselines learn from them, and train splits are small. */
  trainRows: Row[];
  /** Every split the file has, for the message when the one to score is empty. */
  splits: string[];
}

/**
 * One streaming pass over a dataset (hashed alongside): every row is validated, so bad input fails
 * before a run directory exists; the train split is kept; of the evaluation split only line numbers
 * are kept. `--limit` takes a seeded random subset of the whole evaluation split first, `--shard`
 * then keeps this machine's part, the same rows an in-memory split would pick.
 */
export async function scanRows(file: DatasetFile, splits: DatasetSpec, opts: LoadOptions, seed: number, limit?: number, shard?: Shard | null): Promise<RunRows> {
  const identity = fileIdentity(file.path);
  const [sha256, scan] = await Promise.all([sha256File(file.path), scanFile(file, splits, opts, shard ?? undefined)]);
  const hashed = { identity, sha256 };
  checkUnchanged(file.path, hashed);
  const { v, rows, trainRows, evalLines, inShard, found } = scan;
  if (rows === 0) throw new UserError(`${file.path}: no valid rows`);
  const lines = chooseLines(evalLines, inShard, seed, limit);
  return {
    dataset: { path: file.path, format: file.format, sha256, rows, skipped: v.skipped, dropped: v.dropped },
    evalRows: { count: lines.length, read: () => readLines(file, opts, lines, hashed) },
    trainRows,
    splits: [...found],
  };
}

async function scanFile(file: DatasetFile, splits: DatasetSpec, opts: LoadOptions, shard?: Shard) {
  const v = new RowValidator(file.path, opts);
  const trainRows: Row[] = [];
  const evalLines: number[] = [];
  const inShard: boolean[] = [];
  const found = new Set<string>();
  let rows = 0;
  for await (const row of readRows(file, v)) {
    rows++;
    found.add(row.split);
    if (row.split === splits.train_split) trainRows.push(row);
    if (row.split === splits.split) {
      evalLines.push(row.line);
      inShard.push(!shard || shardOf(row.id, shard.count) === shard.index);
    }
  }
  return { v, rows, trainRows, evalLines, inShard, found };
}

/** The lines of the rows to score, ascending: a shuffle of indices picks what a shuffle of rows would. */
function chooseLines(evalLines: readonly number[], inShard: readonly boolean[], seed: number, limit?: number): number[] {
  let picked = evalLines.map((_, i) => i);
  if (limit !== undefined && limit < picked.length) picked = seededShuffle(picked, seed).slice(0, limit);
  return picked.filter((i) => inShard[i]).map((i) => evalLines[i]!).sort((a, b) => a - b);
}

/**
 * Re-reads the file, yielding the rows at `lines`; it stops reading after the last of them. Every row
 * is checked to come from the file that was hashed: a file replaced or edited during a run would
 * otherwise be scored under the old file's hash.
 */
async function* readLines(file: DatasetFile, opts: LoadOptions, lines: readonly number[], hashed: Hashed): AsyncGenerator<Row> {
  if (lines.length === 0) return;
  let next = 0;
  checkUnchanged(file.path, hashed);
  for await (const row of readRows(file, new RowValidator(file.path, opts))) {
    if (row.line !== lines[next]) continue;
    checkUnchanged(file.path, hashed);
    yield row;
    if (++next === lines.length) return;
  }
  throw new RuntimeFailure(`${file.path} changed during the run: ${lines.length - next} of the rows to score are gone`);
}

/** What identifies the bytes of a file without reading them: device, inode, size, modification time. */
type Identity = string;

interface Hashed {
  identity: Identity;
  sha256: string;
}

function fileIdentity(path: string): Identity {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
  } catch (e) {
    return `gone (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}

function checkUnchanged(path: string, hashed: Hashed): void {
  if (fileIdentity(path) !== hashed.identity) {
    throw new RuntimeFailure(
      `${path} was replaced or modified during the run (it is no longer the file hashed at the start, sha256 ${hashed.sha256.slice(0, 12)}…): its rows would be scored under the wrong hash. Restore the file and --resume, or start a new run`,
    );
  }
}
