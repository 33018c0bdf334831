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
  const [sha256, scan] = await Promise.all([sha256File(file.path), scanFile(file, splits, opts, shard ?? undefined)]);
  const { v, rows, trainRows, evalLines, inShard, found } = scan;
  if (rows === 0) throw new UserError(`${file.path}: no valid rows`);
  const lines = chooseLines(evalLines, inShard, seed, limit);
  return {
    dataset: { path: file.path, format: file.format, sha256, rows, skipped: v.skipped, dropped: v.dropped },
    evalRows: { count: lines.length, read: () => readLines(file, opts, lines) },
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

/** Re-reads the file, yielding the rows at `lines`; it stops reading after the last of them. */
async function* readLines(file: DatasetFile, opts: LoadOptions, lines: readonly number[]): AsyncGenerator<Row> {
  if (lines.length === 0) return;
  let next = 0;
  for await (const row of readRows(file, new RowValidator(file.path, opts))) {
    if (row.line !== lines[next]) continue;
    yield row;
    if (++next === lines.length) return;
  }
  throw new RuntimeFailure(`${file.path} changed during the run: ${lines.length - next} of the rows to score are gone`);
}
