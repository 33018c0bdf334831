import type { Row } from '../datasets/types.js';

/** What a result row records about the model that produced it. */
export interface ModelMeta {
  /** The spec as the user wrote it (`nb`, `scratch@paper?kv=int8`, `openai:gpt-4o-mini`). */
  spec: string;
  kind: 'baseline' | 'scratch' | 'api' | 'onnx';
  /** Everything that changes predictions; its hash detects a changed model on resume/merge. */
  config: Record<string, unknown>;
  config_hash: string;
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
  close?(): Promise<void>;
}
