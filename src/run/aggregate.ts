import type { LangBreakdown, ModelMeta, ModelResult, SampleRecord, ScoredSample } from '../results/types.js';
import { quantile, wilson, type Estimate } from '../scoring/ci.js';
import { classificationMetrics, type ClassificationMetrics, type Prediction } from '../scoring/classification.js';

const NO_ESTIMATE = (n: number): Estimate => ({ value: NaN, lo: NaN, hi: NaN, n, method: 'none' });

/**
 * Metrics of free-form answers (generation suites): accuracy is the share judged correct by the
 * suite's answerer; there are no classes, so no F1 or confusion matrix.
 */
function answerMetrics(records: readonly ScoredSample[]): ClassificationMetrics {
  return {
    n: records.length,
    accuracy: wilson(records.filter((r) => r.correct).length, records.length),
    macro_f1: NO_ESTIMATE(records.length),
    per_class: {},
    confusion: { labels: [], columns: [], matrix: [] },
    unparseable: records.filter((r) => r.pred === null).length,
  };
}

/** One model's results per decoding setting (one result unless the run was a sweep). */
export function aggregateVariants(meta: ModelMeta, records: readonly ScoredSample[], labels: readonly string[] | null, seed: number): ModelResult[] {
  const settings = [...new Set(records.map((r) => r.setting))];
  if (settings.length <= 1 && records.every((r) => r.repeat === undefined)) return [aggregateModel(meta, records, labels, seed)];
  return settings.map((setting) => {
    const mine = records.filter((r) => r.setting === setting);
    const repeats = [...new Set(mine.map((r) => r.repeat ?? 0))].sort((a, b) => a - b);
    const accs = repeats.map((k) => {
      const rs = mine.filter((r) => (r.repeat ?? 0) === k);
      return rs.filter((r) => r.correct).length / rs.length;
    });
    const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
    const sd = accs.length < 2 ? 0 : Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / (accs.length - 1));
    const byId = new Map<string, (string | null)[]>();
    for (const r of mine) byId.set(r.id, [...(byId.get(r.id) ?? []), r.pred]);
    const consistent = [...byId.values()].filter((ps) => ps.every((p) => p === ps[0])).length;
    return {
      ...aggregateModel(meta, mine, labels, seed),
      ...(setting !== undefined ? { setting } : {}),
      sweep: { repeats: repeats.length, accuracy_mean: mean, accuracy_sd: sd, consistency: byId.size === 0 ? NaN : consistent / byId.size },
    };
  });
}

/** A sample record without its texts, for keeping until aggregation. */
export function scored({ input: _input, output: _output, tags: _tags, probs: _probs, ...rest }: SampleRecord): ScoredSample {
  return rest;
}

/**
 * Newcombe's hybrid score interval for a difference of two proportions (p1 − p2), from the Wilson
 * intervals of each: used for each language's gap to English.
 */
export function proportionGap(a: Estimate, b: Estimate): Estimate {
  const d = a.value - b.value;
  const lo = d - Math.sqrt((a.value - a.lo) ** 2 + (b.hi - b.value) ** 2);
  const hi = d + Math.sqrt((a.hi - a.value) ** 2 + (b.value - b.lo) ** 2);
  return { value: d, lo, hi, n: a.n + b.n, method: 'wilson' };
}

/** Per-model metrics from its sample records: pure, so rescoring and merging reuse it. */
export function aggregateModel(meta: ModelMeta, unordered: readonly ScoredSample[], labels: readonly string[] | null, seed: number): ModelResult {
  // Bootstrap intervals depend on order: sorting by id makes a resumed or merged run give exactly
  // the figures of one uninterrupted run.
  const records = [...unordered].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || (a.repeat ?? 0) - (b.repeat ?? 0));
  const preds: Prediction[] = records.map((r) => ({ gold: r.expected, pred: r.error === null ? r.pred : null }));
  const errors = records.filter((r) => r.error !== null).length;
  const metricsOf = (rs: readonly ScoredSample[], ps: readonly Prediction[], resamples?: number) =>
    labels === null ? answerMetrics(rs) : classificationMetrics(ps, labels, { seed, ...(resamples ? { resamples } : {}) });
  const breakdown = (key: (r: ScoredSample) => string | undefined): Record<string, LangBreakdown> => {
    const out: Record<string, LangBreakdown> = {};
    const values = [...new Set(records.map(key))].filter((v): v is string => v !== undefined);
    for (const v of values.sort((x, y) => x.localeCompare(y, 'en', { numeric: true }))) {
      const idx = records.flatMap((r, i) => (key(r) === v ? [i] : []));
      const m = metricsOf(idx.map((i) => records[i]!), idx.map((i) => preds[i]!), 500);
      out[v] = { n: idx.length, accuracy: m.accuracy, macro_f1: m.macro_f1 };
    }
    return out;
  };
  const by_lang = breakdown((r) => r.lang);
  const en = by_lang['en'];
  if (en) for (const [lang, b] of Object.entries(by_lang)) if (lang !== 'en') b.gap_vs_en = proportionGap(b.accuracy, en.accuracy);
  const by_group: Record<string, Record<string, LangBreakdown>> = {};
  if (records.some((r) => r.difficulty !== undefined)) by_group['difficulty'] = breakdown((r) => (r.difficulty === undefined ? undefined : String(r.difficulty)));
  if (records.some((r) => r.kind !== undefined)) by_group['kind'] = breakdown((r) => r.kind);
  const lat = records.map((r) => r.latency_ms).sort((a, b) => a - b);
  const chat = records.filter((r) => r.usage);
  const costs = chat.filter((r) => r.cost_usd !== undefined);
  const ttfts = chat.flatMap((r) => (r.ttft_ms === undefined || r.cached ? [] : [r.ttft_ms])).sort((a, b) => a - b);
  return {
    spec: meta.spec,
    meta,
    n: records.length,
    errors,
    error_rate: records.length === 0 ? 0 : errors / records.length,
    metrics: metricsOf(records, preds),
    by_lang,
    ...(Object.keys(by_group).length > 0 ? { by_group } : {}),
    latency_ms: {
      mean: lat.length === 0 ? NaN : lat.reduce((a, b) => a + b, 0) / lat.length,
      p50: quantile(lat, 0.5),
      p90: quantile(lat, 0.9),
    },
    ...(chat.length === 0
      ? {}
      : {
          usage: {
            prompt_tokens: chat.reduce((a, r) => a + r.usage!.prompt_tokens, 0),
            completion_tokens: chat.reduce((a, r) => a + r.usage!.completion_tokens, 0),
            cost_usd: costs.length === 0 ? null : costs.reduce((a, r) => a + r.cost_usd!, 0),
            cached: chat.filter((r) => r.cached).length,
            ttft_ms_p50: ttfts.length === 0 ? null : quantile(ttfts, 0.5),
          },
        }),
  };
}
