import * as tf from '@tensorflow/tfjs-core';
import { tiny, type ModelConfig } from '../../src/scratch/config.js';
import { ScratchModel, type ScratchOptions } from '../../src/scratch/scratch-model.js';
import { forward, padBatch } from '../../src/scratch/transformer.js';
import { weightEntries } from '../../src/scratch/weights.js';

export const PAD = 2;

export function tinyModel(opts: ScratchOptions = {}, cfg: ModelConfig = tiny, seed = 7): Promise<ScratchModel> {
  return ScratchModel.random(cfg, seed, undefined, opts);
}

/** Deterministic token ids in the byte range of the default tokenizer (3…258). */
export function tokens(n: number, salt = 0): number[] {
  return Array.from({ length: n }, (_, i) => 3 + ((i * 37 + salt * 101 + 11) % 250));
}

/** Full recompute: logits at the last position of each row (rows left-padded together). */
export function fullLogits(model: ScratchModel, rows: number[][], opts: { bias: boolean; window?: number }): Float32Array {
  const t = tf.tidy(() => forward(model.weights, model.config, padBatch(rows, PAD), { ...opts, logits: 'last' }).logits!);
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The model's weights as plain arrays by canonical name. */
export function namedWeights(model: ScratchModel): Map<string, Float32Array> {
  return new Map(weightEntries(model.weights).map(([name, v]) => [name, v.dataSync() as Float32Array]));
}
