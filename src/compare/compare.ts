import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { streamSamples } from '../results/read-samples.js';
import { SUMMARY_SCHEMA, THROUGHPUT_SCHEMA, type SampleRecord, type Summary, type ThroughputSummary } from '../results/types.js';
import { macroF1, type Prediction } from '../scoring/classification.js';
import { mcnemar, pairById, pairedCounts, pairedPermutation } from './paired.js';

export interface LoadedRun {
  dir: string;
  summary: Summary;
  samples: SampleRecord[];
}

/** The summary of a run directory (or a summary.json path), of either kind. */
export function readSummary(path: string): { dir: string; summary: Summary | ThroughputSummary } {
  if (!existsSync(path)) throw new UserError(`${path}: no such run directory or summary file`);
  const dir = statSync(path).isDirectory() ? path : dirname(path);
  const summaryPath = statSync(path).isDirectory() ? join(path, 'summary.json') : path;
  if (!existsSync(summaryPath)) throw new UserError(`${dir}: no summary.json (is this a run directory?)`);
  let summary: Summary | ThroughputSummary;
  try {
    summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as Summary | ThroughputSummary;
  } catch (e) {
    throw new UserError(`${summaryPath}: invalid JSON: ${(e as Error).message}`);
  }
  if (summary.schema !== SUMMARY_SCHEMA && summary.schema !== THROUGHPUT_SCHEMA) {
    throw new UserError(`${summaryPath}: not an emobench summary (schema ${String((summary as { schema?: unknown }).schema)})`);
  }
  return { dir, summary };
}

/** A scored run: its summary and samples (classification suites). */
export async function loadRun(path: string): Promise<LoadedRun> {
  const { dir, summary } = readSummary(path);
  if (summary.schema !== SUMMARY_SCHEMA) throw new UserError(`${dir}: a throughput run has no scored samples to compare or report on this way`);
  const samples: SampleRecord[] = [];
  for await (const r of streamSamples(join(dir, 'samples.jsonl'))) samples.push(r);
  return { dir, summary, samples };
}

export interface MetricDelta {
  model: string;
  metric: 'accuracy' | 'macro_f1';
  a: number;
  b: number;
  delta: number;
  /** Two-sided p-value of the paired test on the shared samples. */
  p: number;
  test: 'mcnemar' | 'permutation';
  shared: number;
}

/**
 * Per-model, per-metric deltas B − A with a paired test on the samples both runs scored: McNemar for
 * accuracy, a paired permutation test for macro-F1.
 */
export function compareRuns(a: LoadedRun, b: LoadedRun, seed = 0): MetricDelta[] {
  if (a.summary.suite !== b.summary.suite) throw new UserError(`runs are of different suites (${a.summary.suite}, ${b.summary.suite})`);
  const labels = b.summary.labels;
  const out: MetricDelta[] = [];
  for (const mb of b.summary.models) {
    if (!a.summary.models.some((m) => m.spec === mb.spec)) continue;
    const pairs = pairById(a.samples.filter((s) => s.model === mb.spec), b.samples.filter((s) => s.model === mb.spec));
    if (pairs.length === 0) continue;
    const c = pairedCounts(pairs);
    const accA = c.rightA / c.shared;
    const accB = c.rightB / c.shared;
    out.push({ model: mb.spec, metric: 'accuracy', a: accA, b: accB, delta: accB - accA, p: mcnemar(c.onlyA, c.onlyB), test: 'mcnemar', shared: c.shared });
    const pred = (s: SampleRecord): Prediction => ({ gold: s.expected, pred: s.error === null ? s.pred : null });
    const predsA = pairs.map(([x]) => pred(x));
    const predsB = pairs.map(([, y]) => pred(y));
    const f = pairedPermutation(predsA, predsB, (items) => macroF1(items, labels), { seed });
    const f1A = macroF1(predsA, labels);
    out.push({ model: mb.spec, metric: 'macro_f1', a: f1A, b: f1A + f.delta, delta: f.delta, p: f.p, test: 'permutation', shared: pairs.length });
  }
  return out;
}

/** A markdown table for a pull-request comment. */
export function compareMarkdown(a: LoadedRun, b: LoadedRun, deltas: readonly MetricDelta[], alpha = 0.05): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}`;
  const lines = [
    `### emobench: ${b.summary.suite} — ${b.dir} vs ${a.dir}`,
    '',
    '| model | metric | A | B | Δ (B − A) | p | significant |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...deltas.map((d) => `| ${d.model} | ${d.metric} | ${pct(d.a)} | ${pct(d.b)} | ${d.delta >= 0 ? '+' : ''}${pct(d.delta)} | ${d.p < 0.001 ? '<0.001' : d.p.toFixed(3)} | ${d.p < alpha ? (d.delta < 0 ? '▼ worse' : '▲ better') : 'no'} |`),
    '',
    `Paired tests on the samples both runs scored (${deltas[0]?.shared ?? 0} shared per model): exact McNemar for accuracy, paired permutation test (2,000 rounds) for macro-F1; α = ${alpha}.`,
  ];
  return `${lines.join('\n')}\n`;
}
