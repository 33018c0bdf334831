import { z } from 'zod';
import type { ClassificationMetrics, ClassMetrics } from '../scoring/classification.js';
import type { Estimate } from '../scoring/ci.js';
import type { ModelConfig } from '../scratch/config.js';
import type { KvByteCounts } from '../scratch/kv-cache.js';
import type { HostInfo } from '../util/meta.js';
import {
  ATTENTION_SCHEMA,
  MANIFEST_SCHEMA,
  PROFILE_SCHEMA,
  SUMMARY_SCHEMA,
  THROUGHPUT_SCHEMA,
  type AccuracyRow,
  type AttentionResult,
  type Decoding,
  type GridCell,
  type LangBreakdown,
  type LiftSummary,
  type MemoryMeasurement,
  type ModelMeta,
  type ModelResult,
  type ProfileResult,
  type RunManifest,
  type RunMeta,
  type SampleRecord,
  type ServingLevel,
  type Spread,
  type Summary,
  type SweepRow,
  type TextLift,
  type ThroughputResult,
  type ThroughputSettings,
  type ThroughputSummary,
  type TokenUsage,
} from './types.js';

/**
 * zod schemas of every run-directory file, each annotated with its type in types.ts so the two cannot
 * drift. Objects are loose: a field this version does not know (written by a newer one) is kept, not
 * dropped, so a file read and written back loses nothing. Fields added after a format's first
 * release are optional or defaulted, so results written before them still load.
 */

/** A measured figure: JSON has no NaN, so JSON.stringify wrote an undefined figure as null. */
const figure = z.number().nullable().transform((v) => v ?? NaN);
const count = z.number().int().nonnegative();
const text = z.string();

export const EstimateSchema: z.ZodType<Estimate> = z.looseObject({
  value: figure,
  lo: figure,
  hi: figure,
  n: count,
  method: z.enum(['wilson', 'bootstrap', 'none']),
});

const ClassMetricsSchema: z.ZodType<ClassMetrics> = z.looseObject({ precision: figure, recall: figure, f1: figure, support: count, f1_ci: EstimateSchema });

const ClassificationMetricsSchema: z.ZodType<ClassificationMetrics> = z.looseObject({
  n: count,
  accuracy: EstimateSchema,
  macro_f1: EstimateSchema,
  per_class: z.record(text, ClassMetricsSchema),
  confusion: z.looseObject({ labels: z.array(text), columns: z.array(text), matrix: z.array(z.array(count)) }),
  unparseable: count,
});

export const ModelMetaSchema: z.ZodType<ModelMeta> = z.looseObject({
  spec: text,
  kind: z.enum(['baseline', 'scratch', 'api', 'onnx']),
  config: z.record(text, z.unknown()),
  config_hash: text,
});

const TokenUsageSchema: z.ZodType<TokenUsage> = z.looseObject({ prompt_tokens: count, completion_tokens: count, source: z.enum(['server', 'estimate']) });

const ShardSchema = z.looseObject({ index: count, count: z.number().int().positive() });

const DecodingSchema: z.ZodType<Decoding> = z.looseObject({
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  max_tokens: z.number().optional(),
  seed: z.number().optional(),
  stop: z.array(text).optional(),
  temperatures: z.array(z.number()).optional(),
  repeats: z.number().optional(),
  shots: z.number().optional(),
  cot: z.boolean().optional(),
});

const suiteRef = z.looseObject({ name: text, file: text, sha256: text });

export const ManifestSchema: z.ZodType<RunManifest> = z.looseObject({
  schema: z.literal(MANIFEST_SCHEMA),
  suite: suiteRef,
  dataset: z.looseObject({ spec: text.optional(), path: text, sha256: text }),
  models: z.array(z.looseObject({ spec: text, config_hash: text })),
  seed: z.number().int(),
  limit: z.number().int().nullable(),
  shard: ShardSchema.nullable(),
  lenient: z.boolean(),
  endpoint: z.looseObject({ base_url: text.optional(), api_key_env: text.optional(), credentials_removed: z.boolean().optional() }).optional(),
  max_text_bytes: z.number().int().positive().optional(),
  mapping: z.looseObject({ columns: z.record(z.string(), text).optional(), labels: z.record(z.string(), text).optional() }).optional(),
  sampling: DecodingSchema,
});

export const SampleRecordSchema: z.ZodType<SampleRecord> = z.looseObject({
  model: text,
  suite: text,
  id: text,
  lang: text,
  tags: z.array(text),
  input: text,
  expected: text,
  output: text,
  pred: text.nullable(),
  correct: z.boolean(),
  probs: z.array(figure).optional(),
  latency_ms: figure,
  error: text.nullable(),
  usage: TokenUsageSchema.optional(),
  cost_usd: figure.optional(),
  ttft_ms: figure.optional(),
  attempts: count.optional(),
  cached: z.boolean().optional(),
  setting: text.optional(),
  repeat: count.optional(),
  difficulty: z.number().optional(),
  kind: text.optional(),
});

const LangBreakdownSchema: z.ZodType<LangBreakdown> = z.looseObject({ n: count, accuracy: EstimateSchema, macro_f1: EstimateSchema, gap_vs_en: EstimateSchema.optional() });

const ModelResultSchema: z.ZodType<ModelResult> = z.looseObject({
  spec: text,
  meta: ModelMetaSchema,
  n: count,
  errors: count,
  error_rate: figure,
  metrics: ClassificationMetricsSchema,
  by_lang: z.record(text, LangBreakdownSchema),
  latency_ms: z.looseObject({ mean: figure, p50: figure, p90: figure }),
  by_group: z.record(text, z.record(text, LangBreakdownSchema)).optional(),
  setting: text.optional(),
  sweep: z.looseObject({ repeats: count, accuracy_mean: figure, accuracy_sd: figure, consistency: figure }).optional(),
  usage: z
    .looseObject({ prompt_tokens: count, completion_tokens: count, cost_usd: z.number().nullable(), cached: count, ttft_ms_p50: z.number().nullable() })
    .optional(),
});

const HostSchema: z.ZodType<HostInfo> = z.looseObject({ node: text, platform: text, cpu: text, cores: count, memory_gb: z.number() });

const RunMetaSchema: z.ZodType<RunMeta> = z
  .looseObject({
    emobench: text,
    git_commit: text.nullable(),
    host: HostSchema,
    suite: suiteRef,
    dataset: z.looseObject({
      path: text,
      format: text,
      sha256: text,
      rows: count,
      eval_rows: count,
      train_rows: count,
      // Summaries written before external datasets existed: the train rows came from the dataset itself.
      train_source: text.optional(),
      skipped: count,
      dropped_by_mapping: count.default(0),
    }),
    seed: z.number().int(),
    limit: z.number().int().nullable(),
    shard: ShardSchema.nullable().default(null),
    started_at: text,
    ended_at: text,
  })
  .transform((m) => ({ ...m, dataset: { ...m.dataset, train_source: m.dataset.train_source ?? m.dataset.path } }));

export const SummarySchema: z.ZodType<Summary> = z.looseObject({
  schema: z.literal(SUMMARY_SCHEMA),
  suite: text,
  task: text,
  labels: z.array(text),
  complete: z.boolean(),
  stopped_by: text.optional(),
  meta: RunMetaSchema,
  models: z.array(ModelResultSchema),
  skipped_rows: z.array(z.looseObject({ line: z.number().int(), reason: text })),
});

const SpreadSchema: z.ZodType<Spread> = z.looseObject({ median: EstimateSchema, q1: figure, q3: figure, p90: figure, p99: figure, mean: figure, n: count });

const GridCellSchema: z.ZodType<GridCell> = z.looseObject({ prompt_tokens: count, output_tokens: count, batch: count, prefill_tps: SpreadSchema, decode_tps: SpreadSchema });

const ServingLevelSchema: z.ZodType<ServingLevel> = z.looseObject({
  concurrency: count,
  requests: count,
  completed: count,
  failed: count,
  retried: count,
  wall_s: figure,
  request_throughput: figure,
  output_tps: figure,
  ttft_ms: SpreadSchema,
  tpot_ms: SpreadSchema,
  itl_ms: SpreadSchema,
  e2e_ms: SpreadSchema,
  goodput: z.number().nullable(),
  // Runs from before the serving prompt was measured: not known.
  prompt_tokens: figure.default(NaN),
  token_source: z.enum(['server', 'estimate', 'mixed']),
  token_count_mismatches: count,
});

const ThroughputResultSchema: z.ZodType<ThroughputResult> = z.looseObject({
  decode_tps: EstimateSchema.nullable(),
  grid: z.array(GridCellSchema),
  serving: z.array(ServingLevelSchema),
  roofline: z.looseObject({ bandwidth_gbs: figure, bytes_per_token: figure, limit_tps: figure, percent_of_limit: figure }).nullable(),
});

const ThroughputSettingsSchema: z.ZodType<ThroughputSettings> = z.looseObject({
  prompt_tokens: z.array(count),
  output_tokens: count,
  batch: z.array(count),
  warmup: count,
  repeats: count,
  concurrency: z.array(count),
  requests: count,
  serving_prompt_tokens: count,
  serving_output_tokens: count,
  slo: z.looseObject({ ttft_ms: z.number().optional(), tpot_ms: z.number().optional(), e2e_ms: z.number().optional() }),
});

export const ThroughputSummarySchema: z.ZodType<ThroughputSummary> = z.looseObject({
  schema: z.literal(THROUGHPUT_SCHEMA),
  suite: text,
  task: z.literal('throughput'),
  complete: z.boolean(),
  error: text.optional(),
  settings: ThroughputSettingsSchema,
  meta: z.looseObject({ emobench: text, git_commit: text.nullable(), host: HostSchema, seed: z.number().int(), started_at: text, ended_at: text, suite: suiteRef }),
  models: z.array(z.looseObject({ spec: text, meta: ModelMetaSchema, throughput: ThroughputResultSchema })),
});

const KvBytesSchema: z.ZodType<KvByteCounts> = z.looseObject({ k: count, v: count, scales: count, salience: count, total: count });
const kvDtype = z.enum(['fp32', 'fp16', 'int8']);
const TimelineSchema: z.ZodType<MemoryMeasurement['timeline']> = z.array(z.looseObject({ step: count, kv_used_bytes: count, tf_bytes: count }));

const SweepRowSchema: z.ZodType<SweepRow> = z.looseObject({
  kv: kvDtype,
  kv_heads: count,
  window: count.nullable(),
  bias: z.boolean(),
  batch: count,
  seq: count,
  weights_bytes: count,
  kv_measured: KvBytesSchema,
  kv_analytic: KvBytesSchema,
  activations_bytes: count,
  total_bytes: count,
  decode_tps: figure,
  gpu_bytes: z.record(z.enum(['weights', 'kv', 'kv-scales', 'salience', 'activations', 'staging']), count).optional(),
  kv_saving_pct: figure,
  total_saving_pct: figure,
  kv_error_pct: figure,
});

const AccuracyRowSchema: z.ZodType<AccuracyRow> = z.looseObject({ kv: kvDtype, window: count.nullable(), accuracy: EstimateSchema, delta_pts: figure });

const ModelConfigSchema: z.ZodType<ModelConfig> = z.looseObject({
  vocabSize: count,
  dModel: count,
  nLayers: count,
  nHeads: count,
  nKvHeads: count,
  dFF: count,
  maxSeq: count,
  ropeTheta: z.number(),
  emotionLayer: z.number().int(),
  nEmotions: count,
  normEps: z.number(),
  emotionReadout: z.enum(['last', 'mean']).optional(),
});

export const ProfileSchema: z.ZodType<ProfileResult> = z.looseObject({
  schema: z.literal(PROFILE_SCHEMA),
  // Profiles written before snapshots existed were only ever written whole.
  complete: z.boolean().default(true),
  model: text,
  device: text.optional(),
  config: ModelConfigSchema,
  params: count,
  sweep: z.array(SweepRowSchema),
  accuracy: z.array(AccuracyRowSchema),
  timeline: z.looseObject({ setting: text, points: TimelineSchema }),
  claims: z.looseObject({ bias_overhead_pct: figure, best_setting: text, best_total_saving_pct: figure }),
});

const TextLiftSchema: z.ZodType<TextLift> = z.looseObject({
  text,
  tokens: z.array(text),
  emotion_tokens: z.array(count),
  received_on: z.array(figure),
  received_off: z.array(figure),
  mass_on: figure,
  mass_off: figure,
  strength: figure,
});

const LiftSummarySchema: z.ZodType<LiftSummary> = z.looseObject({ texts: count, lift: EstimateSchema, strong_lift: EstimateSchema, strong_texts: count });

export const AttentionSchema: z.ZodType<AttentionResult> = z.looseObject({
  // attention.json written before the field existed has none.
  schema: z.literal(ATTENTION_SCHEMA).default(ATTENTION_SCHEMA),
  model: text,
  summary: LiftSummarySchema,
  texts: z.array(TextLiftSchema),
});
