import type { ModelResult } from '../results/types.js';
import { wilson } from '../scoring/ci.js';
import { extraValue, type ExtraColumn } from './leaderboard.js';

/**
 * Published claims (baselines/published.json) checked against what the runs measured. Pure: the
 * caller reads the file and passes the parsed JSON.
 *
 * Status rule, per (claim, measured model):
 * - "not measured": the claim maps to no metric, or no run has a model matching `model` with that
 *   metric.
 * - For `direction: "higher"` (the default; the claim is "at least this good", e.g. 82% accuracy):
 *   "reproduced" when the upper end of the measured 95% interval reaches the claimed value (the
 *   interval contains the claim or lies above it), else "not reproduced" (the whole interval is
 *   below the claim, i.e. the data are incompatible with it).
 * - For `direction: "lower"` (costs: memory, latency): "reproduced" when the lower end of the
 *   interval is at or below the claimed value.
 * - A metric without an interval (precision, recall, future speed figures) is compared by its point
 *   value.
 */

export const PUBLISHED_SCHEMA = 'emobench.published/1';

export interface PublishedClaim {
  id: string;
  /** The claim as published, in words. */
  claim: string;
  /** The claimed figure in the metric's own unit (fractions for rates: 0.82 = 82%). */
  value: number;
  /** "fraction" (shown as %), "relative" (a change, shown as ±%), or a plain unit ("tokens/s", "params"). */
  unit: string;
  /** `<suite>.<metric>[.<class>]` as in gates, or null when nothing emobench measures maps to it yet. */
  metric: string | null;
  /** Model spec prefix the claim is about (`scratch` matches `scratch`, `scratch@paper`, `scratch:dir`); null = any. */
  model: string | null;
  direction?: 'higher' | 'lower';
  source: string;
  note?: string;
}

export type ClaimStatus = 'reproduced' | 'not reproduced' | 'not measured';

/** One model result a claim can be checked against. */
export interface ClaimTarget {
  suite: string;
  /** Display name (the spec, or spec plus run when a spec occurs twice). */
  label: string;
  result: ModelResult;
}

export interface Measurement {
  value: number;
  lo?: number;
  hi?: number;
  n?: number;
  model: string;
}

export interface ClaimRow {
  claim: PublishedClaim;
  measured?: Measurement;
  status: ClaimStatus;
}

/** Validates the parsed contents of published.json; throws an Error naming the bad field. */
export function parseClaims(json: unknown, file = 'published.json'): PublishedClaim[] {
  const fail = (msg: string): never => {
    throw new Error(`${file}: ${msg}`);
  };
  if (json === null || typeof json !== 'object') fail('expected an object with "claims"');
  const o = json as Record<string, unknown>;
  if (o['schema'] !== PUBLISHED_SCHEMA) fail(`"schema" must be "${PUBLISHED_SCHEMA}"`);
  if (!Array.isArray(o['claims'])) fail('"claims" must be an array');
  const seen = new Set<string>();
  return (o['claims'] as unknown[]).map((c, i) => {
    const at = `claims[${i}]`;
    if (c === null || typeof c !== 'object') fail(`${at}: expected an object`);
    const r = c as Record<string, unknown>;
    const str = (k: string) => (typeof r[k] === 'string' && (r[k] as string) !== '' ? (r[k] as string) : fail(`${at}: "${k}" must be a non-empty string`));
    const strOrNull = (k: string) => (r[k] === null || r[k] === undefined ? null : str(k));
    const id = str('id');
    if (seen.has(id)) fail(`${at}: duplicate id "${id}"`);
    seen.add(id);
    if (typeof r['value'] !== 'number' || !Number.isFinite(r['value'])) fail(`${at}: "value" must be a number`);
    const metric = strOrNull('metric');
    if (metric !== null && !/^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_]*(\.[^.\s]+)?$/.test(metric)) fail(`${at}: "metric" must look like <suite>.<metric>[.<class>]`);
    const direction = r['direction'] ?? 'higher';
    if (direction !== 'higher' && direction !== 'lower') fail(`${at}: "direction" must be "higher" or "lower"`);
    const claim: PublishedClaim = {
      id,
      claim: str('claim'),
      value: r['value'] as number,
      unit: str('unit'),
      metric,
      model: strOrNull('model'),
      direction: direction as 'higher' | 'lower',
      source: str('source'),
    };
    if (r['note'] !== undefined) claim.note = str('note');
    return claim;
  });
}

/** Does a model spec belong to the claim's model (equal, or the same name followed by @ : ?). */
export function specMatches(spec: string, model: string | null): boolean {
  if (model === null) return true;
  return spec === model || (spec.startsWith(model) && '@:?'.includes(spec.charAt(model.length)));
}

/** A metric of one model result: `accuracy`, `macro_f1`, `error_rate`, `unparseable_rate`, `f1.<class>`, … */
export function measure(result: ModelResult, metric: readonly string[]): Omit<Measurement, 'model'> | undefined {
  const [name, cls] = metric;
  const m = result.metrics;
  const est = (e: { value: number; lo: number; hi: number; n: number }) => (Number.isNaN(e.value) ? undefined : { value: e.value, lo: e.lo, hi: e.hi, n: e.n });
  switch (name) {
    case 'accuracy':
      return cls === undefined ? est(m.accuracy) : undefined;
    case 'macro_f1':
      return cls === undefined ? est(m.macro_f1) : undefined;
    case 'error_rate':
      return result.n === 0 ? undefined : est(wilson(result.errors, result.n));
    case 'unparseable_rate':
      return result.n === 0 ? undefined : est(wilson(m.unparseable - result.errors, result.n));
    case 'f1': {
      const c = cls === undefined ? undefined : m.per_class[cls];
      return c && c.support > 0 ? { value: c.f1, lo: c.f1_ci.lo, hi: c.f1_ci.hi, n: c.support } : undefined;
    }
    case 'precision':
    case 'recall': {
      const c = cls === undefined ? undefined : m.per_class[cls];
      return c && c.support > 0 ? { value: c[name], n: c.support } : undefined;
    }
    case 'cost_usd':
    case 'tokens_per_s':
    case 'ttft_ms':
    case 'peak_memory_mb':
      return cls === undefined ? extraValue(result, name as ExtraColumn['key']) : undefined;
    default:
      return undefined;
  }
}

export function claimStatus(claim: PublishedClaim, m: Omit<Measurement, 'model'>): Exclude<ClaimStatus, 'not measured'> {
  const hasCi = m.lo !== undefined && m.hi !== undefined && Number.isFinite(m.lo) && Number.isFinite(m.hi);
  const eps = 1e-12;
  if ((claim.direction ?? 'higher') === 'higher') return (hasCi ? m.hi! : m.value) >= claim.value - eps ? 'reproduced' : 'not reproduced';
  return (hasCi ? m.lo! : m.value) <= claim.value + eps ? 'reproduced' : 'not reproduced';
}

/** One row per (claim, matching model); a claim nothing measured gets one "not measured" row. */
export function evaluateClaims(claims: readonly PublishedClaim[], targets: readonly ClaimTarget[], extra: readonly (Measurement & { metric: string })[] = []): ClaimRow[] {
  const rows: ClaimRow[] = [];
  for (const claim of claims) {
    const found: ClaimRow[] = [];
    // Figures from throughput runs, memory profiles and attention analyses.
    for (const x of extra) {
      if (x.metric !== claim.metric || !specMatches(x.model, claim.model)) continue;
      const m = { value: x.value, ...(x.lo !== undefined && x.hi !== undefined ? { lo: x.lo, hi: x.hi } : {}) };
      found.push({ claim, measured: { ...m, model: x.model }, status: claimStatus(claim, m) });
    }
    if (claim.metric !== null) {
      const [suite, ...metric] = claim.metric.split('.');
      for (const t of targets) {
        if (t.suite !== suite || !specMatches(t.result.spec, claim.model)) continue;
        const m = measure(t.result, metric);
        if (m) found.push({ claim, measured: { ...m, model: t.label }, status: claimStatus(claim, m) });
      }
    }
    rows.push(...(found.length > 0 ? found : [{ claim, status: 'not measured' as const }]));
  }
  return rows;
}

/** The claimed or measured figure in the claim's unit, for display. */
export function formatClaimValue(x: number, unit: string): string {
  if (!Number.isFinite(x)) return '—';
  if (unit === 'fraction') return `${(x * 100).toFixed(1)}%`;
  if (unit === 'relative') return `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x * 100).toFixed(0)}%`;
  if (unit === 'points') return `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x * 100).toFixed(1)} pts`;
  const digits = Math.abs(x) >= 100 ? 0 : 1;
  return `${x.toLocaleString('en-US', { maximumFractionDigits: digits })} ${unit}`;
}
