import type { ModelResult } from '../results/types.js';
import { evalFigure } from '../scoring/metrics.js';

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
 * - A claim is about one configuration (`about`: parameter count, device class, trained weights):
 *   a figure from another one — a 44-thousand-parameter random model for "85 tokens/s on an RTX 4090"
 *   — is not evidence either way, so the claim stays "not measured" and the row says why.
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
  /** The configuration the claim is about; a figure measured on another one does not count. */
  about?: ClaimScope;
  source: string;
  note?: string;
}

export interface ClaimScope {
  /** Parameter count of the model the claim is about; a measured model must be within ±25%. */
  params?: number;
  /** Device class the figure was measured on. */
  device?: 'gpu' | 'cpu';
  /** The claim is about trained weights (random-weight configs say nothing about quality or attention). */
  weights?: 'trained';
}

/** What a measured figure was measured on, as far as its run records it. */
export interface Subject {
  params?: number;
  device?: 'gpu' | 'cpu';
  weights?: 'trained' | 'random';
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

/** A figure from a run that is not a scored suite (throughput, profile, attention), named by its claim metric. */
export type ClaimFigure = Measurement & { metric: string; subject: Subject };

export interface ClaimRow {
  claim: PublishedClaim;
  measured?: Measurement;
  status: ClaimStatus;
  /** Why a claim is not measured: no run of that metric and model, or runs of another configuration. */
  reason?: string;
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
    if (r['about'] !== undefined) claim.about = parseScope(r['about'], `${at}.about`, fail);
    return claim;
  });
}

function parseScope(v: unknown, at: string, fail: (msg: string) => never): ClaimScope {
  if (v === null || typeof v !== 'object') fail(`${at}: expected an object`);
  const o = v as Record<string, unknown>;
  const scope: ClaimScope = {};
  for (const k of Object.keys(o)) if (!['params', 'device', 'weights'].includes(k)) fail(`${at}: unknown field "${k}" (params, device, weights)`);
  if (o['params'] !== undefined) scope.params = typeof o['params'] === 'number' && o['params'] > 0 ? o['params'] : fail(`${at}.params: must be a positive number`);
  if (o['device'] !== undefined) scope.device = o['device'] === 'gpu' || o['device'] === 'cpu' ? o['device'] : fail(`${at}.device: must be "gpu" or "cpu"`);
  if (o['weights'] !== undefined) scope.weights = o['weights'] === 'trained' ? 'trained' : fail(`${at}.weights: must be "trained"`);
  return scope;
}

/**
 * What a model result was measured on, from its recorded config: parameter count, the engine's
 * device, and whether the weights were trained (a directory) or random (a named config).
 */
export function subjectOf(spec: string, config: Record<string, unknown> | undefined): Subject {
  const s: Subject = {};
  const params = config?.['params'];
  if (typeof params === 'number') s.params = params;
  const engine = config?.['engine'];
  const device = engine !== null && typeof engine === 'object' ? (engine as Record<string, unknown>)['device'] : undefined;
  if (typeof device === 'string') s.device = /gpu|cuda|webgpu|metal/i.test(device) ? 'gpu' : 'cpu';
  const weights = weightsOfSpec(spec);
  if (weights) s.weights = weights;
  return s;
}

/** `scratch@<config>` runs random weights; `scratch` and `scratch:<dir>` trained ones; others unknown. */
export function weightsOfSpec(spec: string): Subject['weights'] {
  if (/^scratch@/.test(spec)) return 'random';
  if (/^scratch($|[:?])/.test(spec)) return 'trained';
  return undefined;
}

/** Why a figure measured on `subject` does not speak to a claim about `scope`; undefined when it does. */
export function outOfScope(scope: ClaimScope | undefined, subject: Subject, model: string): string | undefined {
  if (!scope) return undefined;
  if (scope.weights === 'trained' && subject.weights !== 'trained') {
    return subject.weights === 'random' ? `${model} has random weights; the claim is about the trained model` : `${model}: the run does not say whether its weights are trained`;
  }
  if (scope.params !== undefined) {
    const want = `about ${formatCount(scope.params)} parameters`;
    if (subject.params === undefined) return `the claim is about a model of ${want}; the run of ${model} does not record its parameter count`;
    if (Math.abs(subject.params / scope.params - 1) > 0.25) return `the claim is about a model of ${want}; ${model} has ${subject.params.toLocaleString('en-US')}`;
  }
  if (scope.device !== undefined) {
    if (subject.device === undefined) return `the claim is about a ${scope.device.toUpperCase()}; the run of ${model} does not record its device`;
    if (subject.device !== scope.device) return `the claim is about a ${scope.device.toUpperCase()}; ${model} ran on a ${subject.device.toUpperCase()}`;
  }
  return undefined;
}

const formatCount = (n: number) => (n >= 1e9 ? `${+(n / 1e9).toFixed(1)}B` : n >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)}k` : String(n));

/** Does a model spec belong to the claim's model (equal, or the same name followed by @ : ?). */
export function specMatches(spec: string, model: string | null): boolean {
  if (model === null) return true;
  return spec === model || (spec.startsWith(model) && '@:?'.includes(spec.charAt(model.length)));
}

/** A metric of one model result (`accuracy`, `f1.<class>`, …), read through the metric registry. */
export function measure(result: ModelResult, metric: readonly string[]): Omit<Measurement, 'model'> | undefined {
  return evalFigure(result, metric);
}

export function claimStatus(claim: PublishedClaim, m: Omit<Measurement, 'model'>): Exclude<ClaimStatus, 'not measured'> {
  const hasCi = m.lo !== undefined && m.hi !== undefined && Number.isFinite(m.lo) && Number.isFinite(m.hi);
  const eps = 1e-12;
  if ((claim.direction ?? 'higher') === 'higher') return (hasCi ? m.hi! : m.value) >= claim.value - eps ? 'reproduced' : 'not reproduced';
  return (hasCi ? m.lo! : m.value) <= claim.value + eps ? 'reproduced' : 'not reproduced';
}

/**
 * One row per (claim, matching model measured on the claim's configuration); a claim nothing measured
 * gets one "not measured" row, with the reason: no run of that metric and model, or the runs that
 * have it are of another configuration (named).
 */
export function evaluateClaims(claims: readonly PublishedClaim[], targets: readonly ClaimTarget[], extra: readonly ClaimFigure[] = []): ClaimRow[] {
  const rows: ClaimRow[] = [];
  for (const claim of claims) {
    const found: ClaimRow[] = [];
    const skipped: string[] = [];
    const consider = (model: string, subject: Subject, m: Omit<Measurement, 'model'>) => {
      const why = outOfScope(claim.about, subject, model);
      if (why) skipped.push(why);
      else found.push({ claim, measured: { ...m, model }, status: claimStatus(claim, m) });
    };
    // Figures from throughput runs, memory profiles and attention analyses.
    for (const x of extra) {
      if (x.metric !== claim.metric || !specMatches(x.model, claim.model)) continue;
      consider(x.model, x.subject, { value: x.value, ...(x.lo !== undefined && x.hi !== undefined ? { lo: x.lo, hi: x.hi } : {}) });
    }
    if (claim.metric !== null) {
      const [suite, ...metric] = claim.metric.split('.');
      for (const t of targets) {
        if (t.suite !== suite || !specMatches(t.result.spec, claim.model)) continue;
        const m = measure(t.result, metric);
        if (m) consider(t.label, subjectOf(t.result.spec, t.result.meta?.config), m);
      }
    }
    if (found.length > 0) rows.push(...found);
    else {
      const reason =
        claim.metric === null
          ? 'nothing emobench measures maps to this claim yet'
          : skipped.length > 0
            ? [...new Set(skipped)].join('; ')
            : `no run measured ${claim.metric}${claim.model ? ` for ${claim.model}` : ''}`;
      rows.push({ claim, status: 'not measured', reason });
    }
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
