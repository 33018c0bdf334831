import { z } from 'zod';
import { compareRuns, loadRun, type LoadedRun, type MetricDelta } from '../compare/compare.js';
import { tiesWithLeader } from '../report/sections/leaderboard.js';
import type { SampleRecord } from '../results/types.js';
import type { Estimate } from '../scoring/ci.js';
import type { Catalog, RunEntry } from './catalog.js';

/**
 * Views across runs: a leaderboard per (suite, dataset) built from the latest run of each model, and
 * a comparison of any two runs. Both load samples only for the runs they show.
 */

export interface BoardKey {
  suite: string;
  dataset: { name: string; sha256: string };
  /** Eval runs of this suite on this exact dataset file (by hash), newest first. */
  runs: RunEntry[];
}

/** Eval runs grouped by suite and dataset hash: only runs over the same file are ranked together. */
export function boardKeys(cat: Catalog): BoardKey[] {
  const groups = new Map<string, BoardKey>();
  for (const r of cat.runs) {
    if (r.kind !== 'eval' || r.dataset === null) continue;
    const k = `${r.suite}\u0000${r.dataset.sha256}`;
    const g = groups.get(k) ?? { suite: r.suite, dataset: r.dataset, runs: [] };
    g.runs.push(r);
    groups.set(k, g);
  }
  return [...groups.values()].sort((a, b) => a.suite.localeCompare(b.suite) || a.dataset.name.localeCompare(b.dataset.name));
}

export const boardSlug = (k: Pick<BoardKey, 'suite' | 'dataset'>): string => `${k.suite.replace(/[^A-Za-z0-9_-]+/g, '_')}-${k.dataset.sha256.slice(0, 12)}`;

const EstimateSchema = z.object({ value: z.number().nullable(), lo: z.number().nullable(), hi: z.number().nullable(), n: z.number().int() });

const BoardRowSchema = z.object({
  model: z.string().describe('model spec as given to eval'),
  run: z.string().describe('id of the run the figures come from'),
  date: z.string().nullable(),
  complete: z.boolean().describe('false when that run stopped early'),
  n: z.number().int().describe('samples scored'),
  errors: z.number().int(),
  accuracy: EstimateSchema.describe('accuracy with its 95% Wilson interval'),
  macro_f1: EstimateSchema.describe('macro-F1 with its 95% bootstrap interval'),
  leader: z.boolean(),
  tied: z.boolean().describe('not significantly different from the leader (exact McNemar on shared samples, Holm-corrected)'),
  p_holm: z.number().nullable(),
});

const BoardSchema = z.object({
  suite: z.string(),
  dataset: z.object({ name: z.string(), sha256: z.string() }),
  rows: z.array(BoardRowSchema),
});

/** leaderboard.json as `emobench publish` writes it; docs/leaderboard.schema.json is this, as JSON Schema. */
export const LeaderboardFileSchema = z.object({
  schema: z.literal('emobench.leaderboard/1'),
  generated_at: z.string(),
  alpha: z.number(),
  boards: z.array(BoardSchema),
});

export type BoardRow = z.infer<typeof BoardRowSchema>;
export type Board = z.infer<typeof BoardSchema>;
export type LeaderboardFile = z.infer<typeof LeaderboardFileSchema>;

/** JSON has no NaN: an estimate over no samples is written with nulls. */
function plain(e: Estimate): BoardRow['accuracy'] {
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  return { value: num(e.value), lo: num(e.lo), hi: num(e.hi), n: e.n };
}

/**
 * One row per model: from the newest complete run that scored it (an incomplete run only when no
 * complete one has the model), unless `chosen` names the run for that model. Ties with the leader
 * use the same paired test as the report, over distinct models only.
 */
export async function buildBoard(key: BoardKey, alpha: number, chosen: ReadonlyMap<string, string> = new Map()): Promise<Board> {
  const pick = new Map<string, RunEntry>();
  for (const r of key.runs) {
    for (const m of r.models) {
      const want = chosen.get(m);
      if (want !== undefined) {
        if (r.id === want) pick.set(m, r);
        continue;
      }
      const had = pick.get(m);
      if (!had || (!had.complete && r.complete)) pick.set(m, r);
    }
  }
  const loaded = new Map<string, LoadedRun>();
  for (const r of new Set(pick.values())) loaded.set(r.id, await loadRun(r.dir));
  const entries = [...pick.entries()].map(([model, r]) => {
    const run = loaded.get(r.id)!;
    const result = run.summary.models.find((m) => m.spec === model)!;
    return { model, r, result, samples: run.samples.filter((s: SampleRecord) => s.model === model) };
  });
  const ties = tiesWithLeader(entries.map((e) => ({ accuracy: e.result.metrics.accuracy.value, macroF1: e.result.metrics.macro_f1.value, samples: e.samples })), alpha);
  const rows: BoardRow[] = entries.map((e, i) => ({
    model: e.model,
    run: e.r.id,
    date: e.r.date,
    complete: e.r.complete,
    n: e.result.n,
    errors: e.result.errors,
    accuracy: plain(e.result.metrics.accuracy),
    macro_f1: plain(e.result.metrics.macro_f1),
    leader: ties[i]!.leader,
    tied: ties[i]!.tied,
    p_holm: ties[i]!.pHolm,
  }));
  const score = (x: number | null) => x ?? -Infinity;
  rows.sort((a, b) => score(b.accuracy.value) - score(a.accuracy.value) || score(b.macro_f1.value) - score(a.macro_f1.value) || a.model.localeCompare(b.model));
  return { suite: key.suite, dataset: key.dataset, rows };
}

export interface ChangedSample {
  model: string;
  id: string;
  lang: string;
  expected: string;
  input: string;
  a: { pred: string | null; correct: boolean; error: string | null };
  b: { pred: string | null; correct: boolean; error: string | null };
}

export interface RunComparison {
  a: LoadedRun;
  b: LoadedRun;
  deltas: MetricDelta[];
  perClass: { model: string; label: string; a: number; b: number; delta: number }[];
  /** Samples both runs scored whose verdict (right / wrong) differs: the pull-request view. */
  changed: ChangedSample[];
  onlyA: string[];
  onlyB: string[];
}

const right = (s: SampleRecord) => s.error === null && s.correct;

/** Two eval runs of one suite, model by model. */
export async function compareTwo(a: RunEntry, b: RunEntry, seed = 0): Promise<RunComparison> {
  const ra = await loadRun(a.dir);
  const rb = await loadRun(b.dir);
  const deltas = compareRuns(ra, rb, seed);
  const specsA = ra.summary.models.map((m) => m.spec);
  const specsB = rb.summary.models.map((m) => m.spec);
  const shared = specsB.filter((s) => specsA.includes(s));
  const perClass: RunComparison['perClass'] = [];
  for (const model of shared) {
    const ma = ra.summary.models.find((m) => m.spec === model)!.metrics.per_class;
    const mb = rb.summary.models.find((m) => m.spec === model)!.metrics.per_class;
    for (const label of rb.summary.labels) {
      if (!ma[label] || !mb[label]) continue;
      perClass.push({ model, label, a: ma[label].f1, b: mb[label].f1, delta: mb[label].f1 - ma[label].f1 });
    }
  }
  const changed: ChangedSample[] = [];
  for (const model of shared) {
    const byId = new Map(ra.samples.filter((s) => s.model === model).map((s) => [s.id, s]));
    for (const sb of rb.samples) {
      if (sb.model !== model) continue;
      const sa = byId.get(sb.id);
      if (!sa || right(sa) === right(sb)) continue;
      const v = (s: SampleRecord) => ({ pred: s.pred, correct: right(s), error: s.error });
      changed.push({ model, id: sb.id, lang: sb.lang, expected: sb.expected, input: sb.input, a: v(sa), b: v(sb) });
    }
  }
  changed.sort((x, y) => x.model.localeCompare(y.model) || x.id.localeCompare(y.id));
  return { a: ra, b: rb, deltas, perClass, changed, onlyA: specsA.filter((s) => !shared.includes(s)), onlyB: specsB.filter((s) => !shared.includes(s)) };
}
