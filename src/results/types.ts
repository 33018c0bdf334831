import type { Estimate } from '../scoring/ci.js';
import type { ClassificationMetrics } from '../scoring/classification.js';
import type { ModelConfig } from '../scratch/config.js';
import type { KvByteCounts, KvDtype } from '../scratch/kv-cache.js';
import type { ColumnMapping } from '../datasets/types.js';
import type { HostInfo } from '../util/meta.js';

/**
 * The on-disk result formats: every file of a run directory. They are the contract with reports,
 * gates, merge and resume, so a change here bumps the schema string; `schemas.ts` checks each file
 * against them when it is read. Types that stages above write into these files (a model's meta, its
 * decoding settings, throughput and memory figures) are defined here, below those stages.
 */
export const SAMPLE_SCHEMA = 'emobench.sample/1';
export const SUMMARY_SCHEMA = 'emobench.summary/1';
export const MANIFEST_SCHEMA = 'emobench.run/1';
export const THROUGHPUT_SCHEMA = 'emobench.throughput/1';
export const PROFILE_SCHEMA = 'emobench.profile/1';
export const ATTENTION_SCHEMA = 'emobench.attention/1';

/** What a result row records about the model that produced it. */
export interface ModelMeta {
  /** The spec as the user wrote it (`nb`, `scratch@paper?kv=int8`, `openai:gpt-4o-mini`). */
  spec: string;
  kind: 'baseline' | 'scratch' | 'api' | 'onnx';
  /** Everything that changes predictions; its hash detects a changed model on resume/merge. */
  config: Record<string, unknown>;
  config_hash: string;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** Where the counts came from: the server's usage field, or an estimate from the text. */
  source: 'server' | 'estimate';
}

/** Decoding settings; absent fields take the model's or server's defaults. */
export interface Sampling {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string[];
}

/** Decoding settings of a run (run.json): they change predictions, so resume must not mix them. */
export type Decoding = Sampling & { temperatures?: number[]; repeats?: number; shots?: number; cot?: boolean };

export interface Shard {
  index: number;
  count: number;
}

/** run.json: what a run directory was made from, written before the first sample. */
export interface RunManifest {
  schema: typeof MANIFEST_SCHEMA;
  suite: { name: string; file: string; sha256: string };
  /** `spec` is the --dataset given, absent when the suite's own dataset was used. */
  dataset: { spec?: string; path: string; sha256: string };
  models: { spec: string; config_hash: string }[];
  seed: number;
  limit: number | null;
  shard: Shard | null;
  lenient: boolean;
  /**
   * --base-url / --api-key-env when given, so a resume reaches the same endpoint. The URL is stored
   * without credentials; a resume of a URL that had them needs --base-url again.
   */
  endpoint?: { base_url?: string; api_key_env?: string; credentials_removed?: boolean };
  /** --max-text-bytes when given: it decides which rows are valid. */
  max_text_bytes?: number;
  /** --columns / --labels, when given: they change which rows and labels a run reads. */
  mapping?: ColumnMapping;
  /** Decoding settings for chat models (and sweep, shots, CoT). */
  sampling: Decoding;
}

/** One line of samples.jsonl: one (model, sample) pair, written as soon as it finishes. */
export interface SampleRecord {
  model: string;
  suite: string;
  id: string;
  lang: string;
  tags: string[];
  input: string;
  expected: string;
  /** What the model produced (label for classifiers, text for chat models). */
  output: string;
  /** Extracted answer; null = unparseable or failed. */
  pred: string | null;
  correct: boolean;
  probs?: number[];
  latency_ms: number;
  error: string | null;
  /** Chat models only: token counts (and where they came from), cost, time to first token, retries. */
  usage?: TokenUsage;
  cost_usd?: number;
  ttft_ms?: number;
  attempts?: number;
  /** Served from the response cache: no request was made. */
  cached?: boolean;
  /** The answer was cut at --max-output-bytes. */
  truncated?: boolean;
  /** Decoding sweeps: the setting and repeat index this answer came from. */
  setting?: string;
  repeat?: number;
  /** Reasoning rows: carried for the breakdowns. */
  difficulty?: number;
  kind?: string;
}

/** What makes a sample one: a (model, id) pair, and in a decoding sweep its setting and repeat. */
export function sampleKey(model: string, id: string, setting?: string, repeat?: number): string {
  return setting === undefined ? `${model}\u0000${id}` : `${model}\u0000${id}\u0000${setting}\u0000${repeat ?? 0}`;
}

/**
 * A sample without its texts (input, output, tags, probabilities): everything metrics read, and what a
 * run keeps in memory per sample, so memory grows with the number of samples, not their length.
 */
export type ScoredSample = Omit<SampleRecord, 'input' | 'output' | 'tags' | 'probs'>;

export interface LangBreakdown {
  n: number;
  accuracy: Estimate;
  macro_f1: Estimate;
  /** Languages other than English: accuracy minus English's, with a Newcombe 95% interval. */
  gap_vs_en?: Estimate;
}

export interface ModelResult {
  spec: string;
  meta: ModelMeta;
  n: number;
  errors: number;
  error_rate: number;
  metrics: ClassificationMetrics;
  by_lang: Record<string, LangBreakdown>;
  latency_ms: { mean: number; p50: number; p90: number };
  /** Breakdowns beyond language: by difficulty (reasoning steps) and by problem kind. */
  by_group?: Record<string, Record<string, LangBreakdown>>;
  /** Decoding sweeps: the setting, and accuracy mean ± sd across repeats with answer consistency. */
  setting?: string;
  sweep?: { repeats: number; accuracy_mean: number; accuracy_sd: number; consistency: number };
  /** Chat models: totals over the run's requests. */
  usage?: { prompt_tokens: number; completion_tokens: number; cost_usd: number | null; cached: number; ttft_ms_p50: number | null };
}

export interface RunMeta {
  emobench: string;
  git_commit: string | null;
  host: HostInfo;
  suite: { name: string; file: string; sha256: string };
  dataset: {
    path: string;
    format: string;
    sha256: string;
    rows: number;
    eval_rows: number;
    train_rows: number;
    /** The file the train rows came from (the suite's own dataset when --dataset has no train split). */
    train_source: string;
    skipped: number;
    dropped_by_mapping: number;
  };
  seed: number;
  limit: number | null;
  shard: Shard | null;
  started_at: string;
  ended_at: string;
}

export interface Summary {
  schema: typeof SUMMARY_SCHEMA;
  suite: string;
  task: string;
  labels: string[];
  /** False when the run stopped early; its metrics cover only the finished samples. */
  complete: boolean;
  /** Why an incomplete run stopped: a signal, or the --max-cost budget. */
  stopped_by?: string;
  meta: RunMeta;
  models: ModelResult[];
  skipped_rows: { line: number; reason: string }[];
}

// ─── throughput runs (summary.json of the throughput suite) ──────────────────────────────────────

/** The throughput suite's knobs (suites/throughput.yaml, overridable from the CLI). */
export interface ThroughputSettings {
  prompt_tokens: number[];
  output_tokens: number;
  batch: number[];
  warmup: number;
  repeats: number;
  /** Request concurrency levels for the serving measurement. */
  concurrency: number[];
  /** Requests per concurrency level (at least the level itself). */
  requests: number;
  /** Prompt and output length of each serving request. */
  serving_prompt_tokens: number;
  serving_output_tokens: number;
  slo: { ttft_ms?: number; tpot_ms?: number; e2e_ms?: number };
}

/** Spread of repeated timings: the median with its bootstrap interval, IQR and tail quantiles. */
export interface Spread {
  median: Estimate;
  q1: number;
  q3: number;
  p90: number;
  p99: number;
  mean: number;
  n: number;
}

export interface GridCell {
  prompt_tokens: number;
  output_tokens: number;
  batch: number;
  prefill_tps: Spread;
  decode_tps: Spread;
}

export interface ServingLevel {
  concurrency: number;
  requests: number;
  completed: number;
  failed: number;
  /** Requests that needed a retry: their timings mix attempts, so they are left out of the latency figures. */
  retried: number;
  wall_s: number;
  request_throughput: number;
  output_tps: number;
  ttft_ms: Spread;
  tpot_ms: Spread;
  itl_ms: Spread;
  e2e_ms: Spread;
  /** Requests per second meeting every --slo objective; null without objectives. */
  goodput: number | null;
  /** Mean prompt tokens per request as the model counted them (the serving prompt's real length). */
  prompt_tokens: number;
  /** Local models: the prompt asked for (serving_prompt_tokens) was cut to fit the context. */
  prompt_shortened?: { asked: number; context: number };
  /** Where output token counts came from, and how often the streamed chunk count disagreed. */
  token_source: 'server' | 'estimate' | 'mixed';
  token_count_mismatches: number;
}

export interface Roofline {
  bandwidth_gbs: number;
  bytes_per_token: number;
  limit_tps: number;
  /** Measured batch-1 decode tokens/s as a percentage of the limit. */
  percent_of_limit: number;
}

export interface ThroughputResult {
  /** Headline: batch-1 decode tokens/s at the shortest prompt (median with 95% CI). */
  decode_tps: Estimate | null;
  grid: GridCell[];
  serving: ServingLevel[];
  roofline: Roofline | null;
}

/** summary.json of a throughput suite: speed figures per model instead of accuracy. */
export interface ThroughputSummary {
  schema: typeof THROUGHPUT_SCHEMA;
  suite: string;
  task: 'throughput';
  /** False while the run is going, or when it stopped early: the grid then holds the cells finished. */
  complete: boolean;
  /** Why an incomplete run stopped. */
  error?: string;
  settings: ThroughputSettings;
  meta: Pick<RunMeta, 'emobench' | 'git_commit' | 'host' | 'seed' | 'started_at' | 'ended_at'> & { suite: RunMeta['suite'] };
  models: { spec: string; meta: ModelMeta; throughput: ThroughputResult }[];
}

// ─── memory profiles (profile.json) ─────────────────────────────────────────────────────────────

/** Memory of one inference setting, measured from the engine, next to the analytic prediction. */
export interface MemoryMeasurement {
  kv: KvDtype;
  kv_heads: number;
  window: number | null;
  bias: boolean;
  batch: number;
  seq: number;
  weights_bytes: number;
  /** The KV cache's typed arrays after a generation filled it to `seq` tokens. */
  kv_measured: KvByteCounts;
  /** 2 × layers × kv_heads × head_dim × tokens × batch × bytes (+ scales, + salience). */
  kv_analytic: KvByteCounts;
  /** Peak tfjs bytes during the prefill beyond what was held before it: activations and workspace. */
  activations_bytes: number;
  total_bytes: number;
  decode_tps: number;
  /** engine=webgpu: GPU bytes by purpose from the allocator (weights, KV, scales, salience, peak activations and staging). */
  gpu_bytes?: Record<GpuPurpose, number>;
  /** Per decode step: KV bytes in use and tfjs bytes held (engine=webgpu: GPU bytes held). */
  timeline: { step: number; kv_used_bytes: number; tf_bytes: number }[];
}

/** What a GPU buffer is for, as the webgpu engine's allocator records it. */
export type GpuPurpose = 'weights' | 'kv' | 'kv-scales' | 'salience' | 'activations' | 'staging';

export interface SweepRow extends Omit<MemoryMeasurement, 'timeline'> {
  /** K + V + scales bytes saved against fp32 with the same heads, window, batch and length. */
  kv_saving_pct: number;
  /** Whole inference memory (weights + KV + activations) saved against that fp32 setting. */
  total_saving_pct: number;
  kv_error_pct: number;
}

export interface AccuracyRow {
  kv: KvDtype;
  window: number | null;
  accuracy: Estimate;
  /** Points against fp32 with the same window (negative = worse). */
  delta_pts: number;
}

export interface ProfileResult {
  schema: typeof PROFILE_SCHEMA;
  /** False in the snapshots written while the profile runs (a kill leaves the last one). */
  complete: boolean;
  model: string;
  /** engine=webgpu: the adapter the bytes were measured on. */
  device?: string;
  config: ModelConfig;
  params: number;
  sweep: SweepRow[];
  accuracy: AccuracyRow[];
  timeline: { setting: string; points: MemoryMeasurement['timeline'] };
  claims: {
    /** Memory of the emotion-bias mechanism: bias on vs off at the longest length (claimed +15%). */
    bias_overhead_pct: number;
    /** Best KV setting's total inference-memory saving at the longest length, batch 1 (claimed −30%). */
    best_setting: string;
    best_total_saving_pct: number;
  };
}

// ─── attention analyses (attention.json) ────────────────────────────────────────────────────────

export interface TextLift {
  text: string;
  tokens: string[];
  emotion_tokens: number[];
  /** Attention each token receives (mean over bias layers, heads and later queries), bias on / off. */
  received_on: number[];
  received_off: number[];
  mass_on: number;
  mass_off: number;
  /** Highest non-neutral emotion probability at the last token (bias on). */
  strength: number;
}

export interface LiftSummary {
  texts: number;
  /** Over every text with an emotion word. */
  lift: Estimate;
  /** Over "strongly emotional" texts: a non-neutral emotion above 0.5 at the last token. */
  strong_lift: Estimate;
  strong_texts: number;
}

/** attention.json; files written before the schema field existed have none and still load. */
export interface AttentionResult {
  schema: typeof ATTENTION_SCHEMA;
  model: string;
  summary: LiftSummary;
  texts: TextLift[];
}
