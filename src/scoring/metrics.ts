import { UserError } from '../errors.js';
import { wilson } from './ci.js';
import type { ClassificationMetrics } from './classification.js';

/**
 * The metric registry: every metric a gate, a published claim, a leaderboard or the report can name,
 * with how to read its value (and interval) from a result, which direction is better and how to show
 * it. One table, so `emotion.f1.anger` means the same thing in `--gate`, in published.json and in the
 * report's columns.
 *
 * Names are `<suite>.<metric>[.<class>]` outside; here a metric is the part after the suite.
 */

/** A measured figure: the value with its 95% interval when there is one, and the observations behind it. */
export interface Figure {
  value: number;
  lo?: number;
  hi?: number;
  n?: number;
}

export type Direction = 'higher' | 'lower';

/**
 * What a scored model result must hold for the registry (src/results' ModelResult has it). Declared
 * here by shape so scoring does not import the result files' types (results imports scoring).
 */
export interface ScoredModel {
  n: number;
  errors: number;
  metrics: ClassificationMetrics;
  latency_ms: { mean: number };
}

/** What a throughput-suite model result must hold (src/throughput's ThroughputResult has it). */
export interface SpeedModel {
  throughput: { decode_tps: { value: number; lo: number; hi: number } | null; roofline: { percent_of_limit: number } | null };
}

interface Base {
  name: string;
  /** Column header / label. */
  label: string;
  direction: Direction;
  /** fraction: shown as a percentage; otherwise the unit printed beside the number. */
  unit: 'fraction' | 'count' | 'ms' | 'tokens/s' | 'USD' | 'MB' | 'percent';
  /** Digits shown for non-fraction units. */
  digits: number;
  /** Needs a class: `f1.anger`. */
  perClass?: boolean;
  /** Shown as a leaderboard column only when some model has a value (figures later runs may record). */
  optional?: boolean;
}

export type MetricDef =
  | (Base & { source: 'eval'; read: (m: ScoredModel, cls: string | undefined) => Figure | undefined })
  | (Base & { source: 'throughput'; read: (m: SpeedModel) => Figure | undefined });

const est = (e: { value: number; lo: number; hi: number; n: number }): Figure | undefined => (Number.isNaN(e.value) ? undefined : { value: e.value, lo: e.lo, hi: e.hi, n: e.n });

/**
 * A figure a summary may carry at one of a few places (cost, decode speed, TTFT, peak memory): a plain
 * number or an estimate-like `{ value, lo?, hi? }` / `{ mean }`. Looked up by path so the column
 * appears without a registry change once the runner records it.
 */
function at(paths: readonly (readonly string[])[]): (m: object) => Figure | undefined {
  return (m) => {
    for (const path of paths) {
      let v: unknown = m;
      for (const part of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
      const got = asFigure(v);
      if (got) return got;
    }
    return undefined;
  };
}

function asFigure(v: unknown): Figure | undefined {
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (finite(v)) return { value: v };
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const value = finite(o['value']) ? o['value'] : finite(o['mean']) ? o['mean'] : undefined;
  if (value === undefined) return undefined;
  return finite(o['lo']) && finite(o['hi']) ? { value, lo: o['lo'], hi: o['hi'] } : { value };
}

const perClass = (key: 'f1' | 'precision' | 'recall') => (m: ScoredModel, cls: string | undefined): Figure | undefined => {
  const c = cls === undefined ? undefined : m.metrics.per_class[cls];
  if (!c || c.support === 0) return undefined;
  return key === 'f1' ? { value: c.f1, lo: c.f1_ci.lo, hi: c.f1_ci.hi, n: c.support } : { value: c[key], n: c.support };
};

export const METRICS: readonly MetricDef[] = [
  { name: 'accuracy', label: 'accuracy %', direction: 'higher', unit: 'fraction', digits: 1, source: 'eval', read: (m) => est(m.metrics.accuracy) },
  { name: 'macro_f1', label: 'macro-F1 %', direction: 'higher', unit: 'fraction', digits: 1, source: 'eval', read: (m) => est(m.metrics.macro_f1) },
  { name: 'error_rate', label: 'errors', direction: 'lower', unit: 'fraction', digits: 1, source: 'eval', read: (m) => (m.n === 0 ? undefined : est(wilson(m.errors, m.n))) },
  {
    name: 'unparseable_rate',
    label: 'unparseable',
    direction: 'lower',
    unit: 'fraction',
    digits: 1,
    source: 'eval',
    // Failed requests count as errors, not as unparseable answers.
    read: (m) => (m.n === 0 ? undefined : est(wilson(m.metrics.unparseable - m.errors, m.n))),
  },
  { name: 'f1', label: 'F1 %', direction: 'higher', unit: 'fraction', digits: 1, perClass: true, source: 'eval', read: perClass('f1') },
  { name: 'precision', label: 'precision %', direction: 'higher', unit: 'fraction', digits: 1, perClass: true, source: 'eval', read: perClass('precision') },
  { name: 'recall', label: 'recall %', direction: 'higher', unit: 'fraction', digits: 1, perClass: true, source: 'eval', read: perClass('recall') },
  { name: 'latency_ms', label: 'mean latency ms', direction: 'lower', unit: 'ms', digits: 2, source: 'eval', read: (m) => (Number.isFinite(m.latency_ms.mean) ? { value: m.latency_ms.mean } : undefined) },
  { name: 'cost_usd', label: 'cost USD', direction: 'lower', unit: 'USD', digits: 4, optional: true, source: 'eval', read: at([['usage', 'cost_usd']]) },
  { name: 'tokens_per_s', label: 'tokens/s', direction: 'higher', unit: 'tokens/s', digits: 1, optional: true, source: 'eval', read: at([['throughput', 'decode_tps']]) },
  { name: 'ttft_ms', label: 'TTFT ms', direction: 'lower', unit: 'ms', digits: 1, optional: true, source: 'eval', read: at([['usage', 'ttft_ms_p50']]) },
  { name: 'peak_memory_mb', label: 'peak memory MB', direction: 'lower', unit: 'MB', digits: 0, optional: true, source: 'eval', read: at([['memory', 'peak_mb']]) },
  {
    name: 'decode_tps',
    label: 'decode tokens/s',
    direction: 'higher',
    unit: 'tokens/s',
    digits: 1,
    source: 'throughput',
    read: (m) => {
      const d = m.throughput.decode_tps;
      return d ? { value: d.value, lo: d.lo, hi: d.hi } : undefined;
    },
  },
  { name: 'roofline_percent', label: '% of roofline', direction: 'higher', unit: 'percent', digits: 1, source: 'throughput', read: (m) => (m.throughput.roofline ? { value: m.throughput.roofline.percent_of_limit } : undefined) },
];

export const METRIC_NAMES: readonly string[] = METRICS.map((m) => m.name);

export function metricDef(name: string): MetricDef | undefined {
  return METRICS.find((m) => m.name === name);
}

/**
 * Checks a metric path (`['f1', 'anger']`) against the registry: a known name, and a class exactly
 * when the metric is per class. `where` prefixes the error (e.g. the gate's source).
 */
export function resolveMetric(path: readonly string[], where: string): { def: MetricDef; cls: string | undefined } {
  const [name, cls, ...rest] = path;
  const def = name === undefined ? undefined : metricDef(name);
  if (!def) throw new UserError(`${where}: unknown metric "${name ?? ''}" (known: ${METRIC_NAMES.join(', ')})`);
  if (rest.length > 0 || (def.perClass ?? false) !== (cls !== undefined)) {
    throw new UserError(def.perClass ? `${where}: ${def.name} needs a class, e.g. ${def.name}.anger` : `${where}: ${def.name} takes no class`);
  }
  return { def, cls };
}

/** The figure of a metric path for a scored model; undefined when the result does not have it. */
export function evalFigure(m: ScoredModel, path: readonly string[]): Figure | undefined {
  const def = metricDef(path[0] ?? '');
  return def?.source === 'eval' ? def.read(m, path[1]) : undefined;
}

/** The figure of a metric path for a throughput-suite model result. */
export function speedFigure(m: SpeedModel, path: readonly string[]): Figure | undefined {
  const def = metricDef(path[0] ?? '');
  return def?.source === 'throughput' && path.length === 1 ? def.read(m) : undefined;
}

/** The scored-run metrics that become leaderboard columns only when a model has them. */
export const OPTIONAL_EVAL_METRICS = METRICS.filter((m): m is Extract<MetricDef, { source: 'eval' }> => m.source === 'eval' && m.optional === true);
