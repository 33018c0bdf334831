import * as tf from '@tensorflow/tfjs-core';
import { Decoder } from '../scratch/decode.js';
import type { KvByteCounts, KvDtype } from '../scratch/kv-cache.js';
import type { BytesByPurpose } from '../gpu/allocator.js';
import type { ScratchModel } from '../scratch/scratch-model.js';
import { textOfTokens } from '../models/scratch.js';

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
  /** engine=webgpu: GPU bytes by purpose (weights, KV, scales, salience, peak activations and staging). */
  gpu_bytes?: BytesByPurpose;
  /** Per decode step: KV bytes in use and tfjs bytes held (engine=webgpu: GPU bytes held). */
  timeline: { step: number; kv_used_bytes: number; tf_bytes: number }[];
}

/** Analytic KV bytes for `tokens` positions (capped by a window) — the formula the cache must match. */
export function kvAnalytic(m: ScratchModel, batch: number, tokens: number): KvByteCounts {
  return m.kvBytes({ tokens, batch })!.allocated;
}

/**
 * Fills a KV cache to `seq` positions (prefill seq − decodeSteps tokens, then decode) and reads
 * memory from the engine: the cache's own byte counts, tf.memory() for weights, tf.profile() for the
 * prefill's peak.
 */
export async function measureMemory(m: ScratchModel, batch: number, seq: number, decodeSteps: number): Promise<MemoryMeasurement> {
  const { kv, bias, window } = m.info().options;
  const cfg = m.config;
  const steps = Math.min(decodeSteps, seq - 1);
  const prompts = Array.from({ length: batch }, (_, b) => m.tokenizer.encode(textOfTokens(m.tokenizer, seq - steps, 11 + b), { bos: true }));
  const weightsBytes = m.info().params * 4;
  const decoder = new Decoder(m.weights, cfg, { bias, ...(window !== null ? { window } : {}) });
  const cache = decoder.newCache(batch, Math.min(seq, window ?? seq), kv);
  // profile() reports the absolute peak; what the weights and other live tensors held before is not activation.
  const before = tf.memory().numBytes;
  const prof = await tf.profile(() => {
    decoder.prefill(cache, prompts, m.tokenizer.pad);
  });
  const activations = Math.max(0, prof.peakBytes - before);
  const timeline: MemoryMeasurement['timeline'] = [];
  const t0 = performance.now();
  let next = Array.from({ length: batch }, () => 5);
  for (let s = 0; s < steps; s++) {
    const out = decoder.step(cache, next);
    next = Array.from({ length: batch }, (_, b) => argmaxRow(out.logits, b, cfg.vocabSize));
    timeline.push({ step: s + 1, kv_used_bytes: cache.bytes().used.total, tf_bytes: tf.memory().numBytes });
  }
  const decodeSeconds = (performance.now() - t0) / 1000;
  const measured = cache.bytes().allocated;
  return {
    kv,
    kv_heads: cfg.nKvHeads,
    window,
    bias,
    batch,
    seq,
    weights_bytes: weightsBytes,
    kv_measured: measured,
    kv_analytic: kvAnalytic(m, batch, seq),
    activations_bytes: activations,
    total_bytes: weightsBytes + measured.total + activations,
    decode_tps: steps === 0 ? NaN : (batch * steps) / decodeSeconds,
    timeline,
  };
}

function argmaxRow(logits: Float32Array, row: number, V: number): number {
  let best = 0;
  for (let i = 1; i < V; i++) if (logits[row * V + i]! > logits[row * V + best]!) best = i;
  return best;
}

/**
 * Emotion classification with the text streamed through the KV cache one token at a time (as a chat
 * reads it), so the cache's precision affects the answer — the emotion head reads the residual
 * stream, which attends over cached keys and values. Returns the predicted class index per text.
 */
export function classifyThroughCache(m: ScratchModel, texts: readonly string[]): number[] {
  const { kv, bias, window } = m.info().options;
  const decoder = new Decoder(m.weights, m.config, { bias, ...(window !== null ? { window } : {}) });
  return texts.map((text) => {
    const ids = m.tokenizer.encode(text, { bos: true }).slice(0, m.config.maxSeq);
    const cache = decoder.newCache(1, Math.min(ids.length, window ?? ids.length), kv);
    let out = decoder.prefill(cache, [ids.slice(0, 1)], m.tokenizer.pad);
    for (const id of ids.slice(1)) out = decoder.step(cache, [id]);
    const e = Array.from(out.emotions);
    return e.indexOf(Math.max(...e));
  });
}
