import type { ModelMeta } from '../models/types.js';
import type { LangBreakdown, ModelResult, SampleRecord } from '../results/types.js';
import { quantile } from '../scoring/ci.js';
import { classificationMetrics, type Prediction } from '../scoring/classification.js';

/** Per-model metrics from its sample records: pure, so rescoring and merging reuse it. */
export function aggregateModel(meta: ModelMeta, unordered: readonly SampleRecord[], labels: readonly string[], seed: number): ModelResult {
  // Bootstrap intervals depend on order: sorting by id makes a resumed or merged run give exactly
  // the figures of one uninterrupted run.
  const records = [...unordered].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const preds: Prediction[] = records.map((r) => ({ gold: r.expected, pred: r.error === null ? r.pred : null }));
  const errors = records.filter((r) => r.error !== null).length;
  const by_lang: Record<string, LangBreakdown> = {};
  for (const lang of [...new Set(records.map((r) => r.lang))].sort()) {
    const sub = preds.filter((_, i) => records[i]!.lang === lang);
    const m = classificationMetrics(sub, labels, { seed, resamples: 500 });
    by_lang[lang] = { n: sub.length, accuracy: m.accuracy, macro_f1: m.macro_f1 };
  }
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
    metrics: classificationMetrics(preds, labels, { seed }),
    by_lang,
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
