/** Choosing the next token from logits: greedy, or temperature → top-k → top-p sampling. */

import { argmax } from '../util/numbers.js';

export interface SamplingOptions {
  /** 0 (the default) is greedy; otherwise logits are divided by it before the softmax. */
  temperature?: number;
  /** Keep only the k most likely tokens. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (nucleus sampling). */
  topP?: number;
}

/** `rand` returns uniform numbers in [0, 1): a seeded PRNG makes a run reproducible. */
export function sampleToken(logits: Float32Array, opts: SamplingOptions, rand: () => number): number {
  const temperature = opts.temperature ?? 0;
  if (!(temperature > 0)) return argmax(logits);

  const order = Array.from(logits.keys())
    .filter((i) => logits[i] !== -Infinity)
    .sort((a, b) => logits[b]! - logits[a]!);
  const k = opts.topK !== undefined && opts.topK > 0 ? Math.min(opts.topK, order.length) : order.length;
  const top = order.slice(0, k);

  const max = logits[top[0]!]!;
  const probs = top.map((i) => Math.exp((logits[i]! - max) / temperature));
  const total = probs.reduce((a, b) => a + b, 0);
  let keep = top.length;
  if (opts.topP !== undefined && opts.topP < 1) {
    let cum = 0;
    keep = 0;
    do cum += probs[keep++]!;
    while (keep < top.length && cum < opts.topP * total);
  }
  let mass = 0;
  for (let i = 0; i < keep; i++) mass += probs[i]!;
  let u = rand() * mass;
  for (let i = 0; i < keep; i++) {
    u -= probs[i]!;
    if (u < 0) return top[i]!;
  }
  return top[keep - 1]!;
}
