/**
 * Training data: specs → labelled examples, the held-out dev split, and the seeded batch order.
 *
 * Specs (`--data`, repeatable):
 *   emotion            the project's datasets/emotion/emotion.csv, `train` rows only (never `test`);
 *                      its `dev` rows are the dev sets; a file without `dev` rows has a seeded ~10% of
 *                      its `train` rows (per language and label) held out instead
 *   goemotions:<path>  xed:<path>  csv:<path>  tsv:<path>  jsonl:<path>
 *                      public or own files through the harness loaders; a file with `train` rows
 *                      contributes only those, a file without any contributes all its rows
 *   <spec>*N           the same rows N times per epoch (oversampling, e.g. `emotion*8`)
 */
import { EMOTIONS } from '../scratch/config.js';
import { loadDataset } from '../datasets/load.js';
import type { Row } from '../datasets/types.js';
import { UserError } from '../errors.js';
import { sha256 } from '../util/hash.js';
import { pkgPath } from '../util/paths.js';
import { mulberry32, shuffleInPlace } from '../util/rng.js';

export interface Example {
  text: string;
  /** Index into EMOTIONS. */
  label: number;
  lang: string;
  /** The spec it came from, for row counts in the log. */
  source: string;
}

export interface DataSpec {
  raw: string;
  /** What loadDataset reads, or 'emotion'. */
  dataset: string;
  repeat: number;
}

export function parseDataSpec(raw: string): DataSpec {
  const m = /^(.*?)(?:\*(\d+))?$/.exec(raw.trim())!;
  const dataset = m[1]!;
  const repeat = m[2] === undefined ? 1 : Number(m[2]);
  if (dataset === '') throw new UserError(`--data "${raw}": empty dataset`);
  if (!(repeat >= 1)) throw new UserError(`--data "${raw}": the repeat count after * must be a positive integer`);
  if (dataset !== 'emotion' && !/^[a-z0-9]+:./.test(dataset)) {
    throw new UserError(`--data "${raw}": expected emotion, goemotions:<path>, xed:<path> or csv:<path> (optionally followed by *N)`);
  }
  return { raw, dataset, repeat };
}

export const PROJECT_DATASET = pkgPath('datasets', 'emotion', 'emotion.csv');

export interface LoadedData {
  train: Example[];
  /** Named dev sets; the project's holdout is split by language (emotion-dev-en, emotion-dev-ja). */
  dev: Map<string, Example[]>;
  /** Rows per spec before repetition, and how many were held out, for the log and the model card. */
  counts: { spec: string; rows: number; repeat: number; dev: number; byLabel: Record<string, number> }[];
  /** Changes whenever any input row changes: a resume against other data is refused. */
  fingerprint: string;
}

/** Fraction of the project's train rows held out for model selection. */
export const DEV_FRACTION = 0.1;

export async function loadTrainingData(specs: readonly DataSpec[], devSpecs: readonly string[], seed: number): Promise<LoadedData> {
  const train: Example[] = [];
  const dev = new Map<string, Example[]>();
  const counts: LoadedData['counts'] = [];
  const hash: string[] = [];
  for (const spec of specs) {
    const rows = await readRows(spec.dataset === 'emotion' ? `csv:${PROJECT_DATASET}` : spec.dataset, spec.raw);
    let use = spec.dataset === 'emotion' ? rows.filter((r) => r.split === 'train') : rows;
    if (spec.dataset !== 'emotion' && use.some((r) => r.split === 'train')) use = use.filter((r) => r.split === 'train');
    let held: Row[] = [];
    if (spec.dataset === 'emotion') {
      const written = rows.filter((r) => r.split === 'dev');
      if (written.length > 0) held = written;
      else ({ train: use, dev: held } = holdOut(use, seed));
    }
    for (const r of held) {
      const name = `emotion-dev-${r.lang}`;
      if (!dev.has(name)) dev.set(name, []);
      dev.get(name)!.push(toExample(r, spec.raw));
    }
    const byLabel: Record<string, number> = {};
    for (const r of use) byLabel[r.label] = (byLabel[r.label] ?? 0) + 1;
    counts.push({ spec: spec.raw, rows: use.length, repeat: spec.repeat, dev: held.length, byLabel });
    for (let k = 0; k < spec.repeat; k++) for (const r of use) train.push(toExample(r, spec.raw));
    hash.push(spec.raw, String(use.length), sha256(use.map((r) => `${r.label}\t${r.text}`).join('\n')));
  }
  for (const d of devSpecs) {
    const rows = await readRows(d, `--dev ${d}`);
    dev.set(d, rows.map((r) => toExample(r, d)));
  }
  if (train.length === 0) throw new UserError('--data: no training rows');
  return { train, dev, counts, fingerprint: sha256(hash.join('|')) };
}

async function readRows(spec: string, what: string): Promise<Row[]> {
  const ds = await loadDataset(spec, { labels: EMOTIONS });
  if (ds.rows.length === 0) throw new UserError(`${what}: no rows`);
  return ds.rows;
}

function toExample(r: Row, source: string): Example {
  return { text: r.text, label: (EMOTIONS as readonly string[]).indexOf(r.label), lang: r.lang, source };
}

/**
 * Seeded, stratified by (language, label): each group is ordered by a hash of (seed, id) and its
 * first round(10%) rows are held out, so the dev set keeps the train split's balance and does not
 * move when rows are added elsewhere.
 */
function holdOut(rows: Row[], seed: number): { train: Row[]; dev: Row[] } {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = `${r.lang}\t${r.label}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const held = new Set<Row>();
  for (const g of groups.values()) {
    const order = g.map((r) => ({ r, h: sha256(`emobench-dev-v1:${seed}:${r.id}`) })).sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
    order.slice(0, Math.round(g.length * DEV_FRACTION)).forEach((o) => held.add(o.r));
  }
  return { train: rows.filter((r) => !held.has(r)), dev: rows.filter((r) => held.has(r)) };
}

/**
 * The batches of one epoch, a pure function of (seed, epoch): resuming needs only the step.
 * Rows are shuffled, then sorted by length inside pools of 16 batches so a batch pads little,
 * then the batches themselves are shuffled so length does not trend through the epoch.
 */
export function epochBatches(lengths: readonly number[], batchSize: number, seed: number, epoch: number): number[][] {
  const rand = mulberry32((seed * 1_000_003 + epoch * 7919 + 1) >>> 0);
  const order = shuffleInPlace([...lengths.keys()], rand);
  const batches: number[][] = [];
  const pool = batchSize * 16;
  for (let s = 0; s < order.length; s += pool) {
    const part = order.slice(s, s + pool).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
    for (let b = 0; b < part.length; b += batchSize) batches.push(part.slice(b, b + batchSize));
  }
  return shuffleInPlace(batches, rand);
}
