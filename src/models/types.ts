import type { Row } from '../datasets/types.js';
import type { ChatMessage } from '../prompts/render.js';

/** What a result row records about the model that produced it. */
export interface ModelMeta {
  /** The spec as the user wrote it (`nb`, `scratch@paper?kv=int8`, `openai:gpt-4o-mini`). */
  spec: string;
  kind: 'baseline' | 'scratch' | 'api' | 'onnx';
  /** Everything that changes predictions; its hash detects a changed model on resume/merge. */
  config: Record<string, unknown>;
  config_hash: string;
}

/**
 * A model as a run plans it, without loading it: what the run records, and which path answers the
 * suite. describeModel (registry.ts) gives it; for a loaded model it is describeLoaded(model).
 */
export interface ModelDescription {
  spec: string;
  meta: ModelMeta;
  /** Has classify(): the runner sends it texts. */
  classifies: boolean;
  /** Has chat(): the runner sends it the suite's prompt when it does not classify. */
  chats: boolean;
  cost?(usage: { prompt_tokens: number; completion_tokens: number }): number | undefined;
}

/** Training data handed to models that learn from the suite's train split (nb, majority). */
export interface PrepareContext {
  train: readonly Row[];
  labels: readonly string[];
  seed: number;
}

export interface ClassifyOutput {
  /** Predicted label, or null when the model gave no usable answer. */
  label: string | null;
  /** Probabilities in the suite's label order, when the model has them. */
  probs?: number[];
  /** What the model actually produced, kept for the sample explorer and rescoring. */
  raw: string;
}

/** Decoding settings; absent fields take the model's or server's defaults. */
export interface Sampling {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string[];
}

export interface ChatRequest {
  messages: ChatMessage[];
  sampling: Sampling;
  /** Repeat index (decoding sweeps): part of the cache key, so repeats are separate samples. */
  repeat: number;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** Where the counts came from: the server's usage field, or an estimate from the text. */
  source: 'server' | 'estimate';
}

export interface ChatResult {
  text: string;
  usage: TokenUsage;
  /** Time to the first non-empty token, when streamed. */
  ttft_ms?: number;
  e2e_ms: number;
  cached: boolean;
  attempts: number;
  cost_usd?: number;
  /** Why generation ended: a stop sequence or end of text ('stop'), or the token limit ('length'). */
  finish_reason?: 'stop' | 'length';
  /** Set when the request failed after its retries; text is then empty. */
  error?: string;
}

/** One timed generation of a local model (the throughput suite's prefill/decode grid). */
export interface TimedGeneration {
  prefill_ms: number;
  decode_ms: number;
  /** Decode steps run (each yields one token per row). */
  decode_steps: number;
  batch: number;
  prompt_tokens: number;
}

/** What a local model reads per decoded token: the roofline's numerator. */
export interface Footprint {
  weight_bytes: number;
  /** KV-cache bytes read per decode step, per token of context. */
  kv_bytes_per_context_token: number;
}

/**
 * The interface every kind of model implements: local classifiers, the scratch transformer,
 * API chat models and ONNX models. A model implements what it can; the runner picks the path.
 */
export interface Model {
  readonly spec: string;
  meta(): ModelMeta;
  /** Called once per suite before scoring. */
  prepare?(ctx: PrepareContext): Promise<void>;
  /** Direct classification over the suite's labels; batched for throughput. */
  classify?(texts: readonly string[], labels: readonly string[]): Promise<ClassifyOutput[]>;
  /** Chat completion (API and generative models): the runner renders the suite's prompt and extracts the answer. */
  chat?(req: ChatRequest, signal?: AbortSignal, onToken?: (text: string) => void): Promise<ChatResult>;
  /** Plain text completion (`/v1/completions`), for generative local models. */
  complete?(prompt: string, sampling: Sampling, signal?: AbortSignal, onToken?: (text: string) => void): Promise<ChatResult>;
  /** USD for a request of this size, when the model has a price. */
  cost?(usage: { prompt_tokens: number; completion_tokens: number }): number | undefined;
  /** Local generative models: prompts of exactly `promptTokens` tokens, `outputTokens` decoded, timed. */
  timedGenerate?(o: { promptTokens: number; outputTokens: number; batch: number; seed: number }): Promise<TimedGeneration>;
  /** Models with their own tokenizer: a user message whose rendered chat prompt is about `tokens` long. */
  userMessageOfTokens?(tokens: number, seed: number): string;
  footprint?(): Footprint;
  close?(): Promise<void>;
}
