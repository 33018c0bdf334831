import type { Estimate } from '../scoring/ci.js';
import type { ClassificationMetrics } from '../scoring/classification.js';
import type { ModelMeta, TokenUsage } from '../models/types.js';
import type { HostInfo } from '../util/meta.js';
import type { Shard } from './manifest.js';
import type { ThroughputResult, ThroughputSettings } from '../throughput/run.js';

/**
 * The on-disk result formats. They are the contract with reports, gates, merge and resume, so a
 * change here bumps the schema string.
 */
export const SAMPLE_SCHEMA = 'emobench.sample/1';
export const SUMMARY_SCHEMA = 'emobench.summary/1';

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

/** summary.json of a throughput suite: speed figures per model instead of accuracy. */
export const THROUGHPUT_SCHEMA = 'emobench.throughput/1';

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
