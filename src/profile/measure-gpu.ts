/**
 * Memory of engine=webgpu, read from its allocator: every GPU buffer is created through it and
 * tagged by purpose, so KV bytes are the cache buffers' sizes and activations are the forward's
 * scratch buffers at their peak — what a user's GPU would hold, not an estimate.
 */
import type { BytesByPurpose } from '../gpu/allocator.js';
import type { GpuScratchEngine } from '../gpu/engine.js';
import { textOfTokens } from '../models/scratch.js';
import type { MemoryMeasurement } from '../results/types.js';
import { argmax } from '../util/numbers.js';

/** Fills a GPU cache to `seq` positions (prefill seq − decodeSteps, then decode), as measureMemory does for tfjs. */
export async function measureGpuMemory(e: GpuScratchEngine, batch: number, seq: number, decodeSteps: number): Promise<MemoryMeasurement> {
  const { kv, bias, window } = e.info().options;
  const cfg = e.config;
  const steps = Math.min(decodeSteps, seq - 1);
  const prompts = Array.from({ length: batch }, (_, b) => e.tokenizer.encode(textOfTokens(e.tokenizer, seq - steps, 11 + b), { bos: true }));
  // Activations are sized by the largest forward: start from none so the peak is this setting's.
  e.model.releaseWorkspace();
  e.alloc.resetPeak();
  const cache = e.model.newCache(batch, Math.min(seq, window ?? seq), kv);
  let out = await e.model.prefill(cache, prompts, e.tokenizer.pad);
  const timeline: MemoryMeasurement['timeline'] = [];
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const next = Array.from({ length: batch }, (_, b) => argmax(out.logits.subarray(b * cfg.vocabSize, (b + 1) * cfg.vocabSize)));
    out = await e.model.step(cache, next);
    // tf_bytes holds the GPU allocator's total here: the engine's whole GPU memory at that step.
    timeline.push({ step: s + 1, kv_used_bytes: cache.bytes().used.total, tf_bytes: e.alloc.total() });
  }
  const decodeSeconds = (performance.now() - t0) / 1000;
  const measured = cache.bytes().allocated;
  const held = e.alloc.held();
  if (held.kv !== measured.k + measured.v || held['kv-scales'] !== measured.scales || held.salience !== measured.salience) {
    throw new Error(`GPU allocator (${JSON.stringify(held)}) disagrees with the cache's buffers (${JSON.stringify(measured)})`);
  }
  const peak = e.alloc.peak().byPurpose;
  const gpuBytes: BytesByPurpose = { ...held, activations: peak.activations, staging: peak.staging };
  cache.destroy();
  const activations = peak.activations + peak.staging;
  return {
    kv,
    kv_heads: cfg.nKvHeads,
    window,
    bias,
    batch,
    seq,
    weights_bytes: held.weights,
    kv_measured: measured,
    kv_analytic: e.kvBytes({ tokens: seq, batch }).allocated,
    activations_bytes: activations,
    total_bytes: held.weights + measured.total + activations,
    decode_tps: steps === 0 ? NaN : (batch * steps) / decodeSeconds,
    timeline,
    gpu_bytes: gpuBytes,
  };
}

/** classifyThroughCache on the GPU: each text streamed token by token through the cache. */
export async function classifyThroughGpuCache(e: GpuScratchEngine, texts: readonly string[]): Promise<number[]> {
  const { kv, window } = e.info().options;
  const out: number[] = [];
  for (const text of texts) {
    const ids = e.tokenizer.encode(text, { bos: true }).slice(0, e.config.maxSeq);
    const cache = e.model.newCache(1, Math.min(ids.length, window ?? ids.length), kv);
    let r = await e.model.prefill(cache, [ids.slice(0, 1)], e.tokenizer.pad);
    for (const id of ids.slice(1)) r = await e.model.step(cache, [id]);
    cache.destroy();
    out.push(argmax(r.emotions));
  }
  return out;
}
