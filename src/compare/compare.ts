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
