import { UserError } from '../errors.js';
import type { LoadedRun } from '../results/summary.js';
import type { SampleRecord } from '../results/types.js';
import { macroF1, type Prediction } from '../scoring/classification.js';
import { pct } from '../util/text.js';
import { mcnemar, pairById, pairedCounts, pairedPermutation } from './paired.js';

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
 * Refuses a comparison that would compare nothing. With `models` (a gate), each must be in both runs
 * with samples both scored; without (compare), at least one model must be. Otherwise a renamed model
 * turns a regression gate into a silent pass and `compare` into an empty table.
 */
export function requireShared(a: LoadedRun, b: LoadedRun, what: string, models?: readonly string[]): void {
  const specsA = [...new Set(a.summary.models.map((m) => m.spec))];
  const specsB = [...new Set(b.summary.models.map((m) => m.spec))];
  const sides = `${a.dir} has ${specsA.join(', ') || 'no models'}; ${b.dir} has ${specsB.join(', ') || 'no models'}`;
  const sharesSamples = (m: string) => {
    const ids = new Set(a.samples.filter((s) => s.model === m).map((s) => s.id));
    return b.samples.some((s) => s.model === m && ids.has(s.id));
  };
  const inBoth = (m: string) => specsA.includes(m) && specsB.includes(m);
  if (models) {
    const missing = models.filter((m) => !inBoth(m));
    if (missing.length > 0) throw new UserError(`${what}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in both runs, so there is nothing to compare (${sides})`);
    const disjoint = models.filter((m) => !sharesSamples(m));
    if (disjoint.length > 0) throw new UserError(`${what}: ${disjoint.join(', ')} scored no sample in common in ${a.dir} and ${b.dir} (different datasets, shards or --limit subsets?)`);
    return;
  }
  const shared = specsB.filter(inBoth);
  if (shared.length === 0) throw new UserError(`${what}: the runs share no model, so there is nothing to compare (${sides})`);
  if (!shared.some(sharesSamples)) throw new UserError(`${what}: ${shared.join(', ')} scored no sample in common in ${a.dir} and ${b.dir} (different datasets, shards or --limit subsets?)`);
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
