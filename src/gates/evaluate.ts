import { appendFileSync, writeFileSync } from 'node:fs';
import { compareRuns, requireShared } from '../compare/compare.js';
import type { LoadedRun } from '../results/summary.js';
import { UserError } from '../errors.js';
import type { ModelResult, Summary, ThroughputSummary } from '../results/types.js';
import { evalFigure, METRICS, resolveMetric, speedFigure } from '../scoring/metrics.js';
import { passes, type Gate } from './expr.js';
import { markdownCell } from '../util/markdown.js';

export interface GateResult {
  name: string;
  model: string;
  /** The measured value (for a baseline check: the drop). */
  value: number;
  pass: boolean;
  detail: string;
}

/** Refuses gates that cannot apply to this suite, before any model runs. */
export function checkGates(gates: readonly Gate[], suite: string, labels: readonly string[]): void {
  for (const g of gates) {
    if (g.suite !== suite) throw new UserError(`gate "${g.source}": names suite "${g.suite}", but this run is "${suite}"`);
    const cls = g.metric[1];
    if (cls !== undefined && !labels.includes(cls)) throw new UserError(`gate "${g.source}": unknown class "${cls}" (labels: ${labels.join(', ')})`);
  }
}

/** A gate's value for one model: read through the metric registry (NaN when the result lacks it, which fails). */
export function gateValue(m: ModelResult | ThroughputSummary['models'][number], metric: readonly string[]): number {
  const { def } = resolveMetric(metric, `metric ${metric.join('.')}`);
  if ('throughput' in m) {
    if (def.source !== 'throughput') throw new UserError(`metric ${metric.join('.')} does not apply to a throughput run (${METRICS.filter((d) => d.source === 'throughput').map((d) => d.name).join(', ')} do)`);
    return speedFigure(m, metric)?.value ?? NaN;
  }
  if (def.source !== 'eval') throw new UserError(`metric ${metric.join('.')} needs a throughput run`);
  return evalFigure(m, metric)?.value ?? NaN;
}

export function evaluateGates(summary: Summary | ThroughputSummary, gates: readonly Gate[], models: readonly string[]): GateResult[] {
  const out: GateResult[] = [];
  for (const spec of models) {
    const m = summary.models.find((x) => x.spec === spec);
    if (!m) throw new UserError(`--gate-model ${spec}: no such model in this run (models: ${summary.models.map((x) => x.spec).join(', ')})`);
    for (const g of gates) {
      const value = gateValue(m, g.metric);
      const pass = !summary.complete ? false : passes(value, g.op, g.value);
      out.push({ name: g.source, model: spec, value, pass, detail: summary.complete ? `${fmt(value)}, needs ${g.op} ${fmt(g.value)}` : 'run incomplete' });
    }
  }
  return out;
}

/**
 * Regression check against a baseline run: a model fails when accuracy or macro-F1 drops by more than
 * `maxDrop` and (unless `significance` is off) the paired test says the drop is real (p < alpha).
 */
export function baselineGates(baseline: LoadedRun, current: LoadedRun, models: readonly string[], opts: { maxDrop: number; significance: boolean; alpha?: number; seed?: number }): GateResult[] {
  const alpha = opts.alpha ?? 0.05;
  requireShared(baseline, current, '--baseline', models);
  return compareRuns(baseline, current, opts.seed)
    .filter((d) => models.includes(d.model))
    .map((d) => {
      const drop = -d.delta;
      const tooBig = drop > opts.maxDrop;
      const real = !opts.significance || d.p < alpha;
      return {
        name: `baseline ${d.metric} drop <= ${fmt(opts.maxDrop)}`,
        model: d.model,
        value: drop,
        pass: !(tooBig && real),
        detail: `${fmt(d.a)} → ${fmt(d.b)} (drop ${fmt(drop)}, ${d.test} p=${d.p.toFixed(3)} on ${d.shared} shared samples${tooBig && !real ? ', not significant' : ''})`,
      };
    });
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(4);
}

export function gateReport(results: readonly GateResult[]): string {
  const failed = results.filter((r) => !r.pass);
  const lines = results.map((r) => `  ${r.pass ? 'pass' : 'FAIL'}  ${r.model}  ${r.name}  (${r.detail})`);
  return `gates: ${results.length - failed.length}/${results.length} passed\n${lines.join('\n')}`;
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** JUnit XML, which every CI system renders as a test report. */
export function writeJunit(path: string, suite: string, results: readonly GateResult[]): void {
  const failures = results.filter((r) => !r.pass).length;
  const cases = results.map((r) => {
    const open = `    <testcase classname="emobench.${xml(suite)}.${xml(r.model)}" name="${xml(r.name)}">`;
    return r.pass ? `${open}</testcase>` : `${open}\n      <failure message="${xml(r.detail)}">${xml(`${r.model}: ${r.name}: ${r.detail}`)}</failure>\n    </testcase>`;
  });
  writeFileSync(path, `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="emobench gates: ${xml(suite)}" tests="${results.length}" failures="${failures}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`);
}

/** GitHub Actions shows $GITHUB_STEP_SUMMARY markdown on the run page. */
export function appendStepSummary(path: string, leaderboardMd: string, results: readonly GateResult[]): void {
  const rows = results.map((r) => `| ${r.pass ? '✅' : '❌'} | ${markdownCell(r.model)} | \`${r.name.replace(/`/g, "'")}\` | ${markdownCell(r.detail)} |`);
  const gates = results.length > 0 ? `\n| | model | gate | value |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n` : '';
  appendFileSync(path, `${leaderboardMd}\n${gates}\n`);
}
