/**
 * One emotion per text, read from the per-position emotion vectors of the emotion head.
 *
 *   last: the vector at the final token, which has seen the whole text (causal attention).
 *   mean: softmax of the emotion logits averaged over the text's real tokens (mean pooling). It
 *         learns far better from a few hundred labelled texts: every token's view is trained,
 *         not only the last one's.
 *
 * The engines hand back probabilities p_t = softmax(z_t), not logits z_t. log p_t = z_t − lse(z_t),
 * and lse(z_t) is the same for every class, so softmax(mean_t log p_t) = softmax(mean_t z_t):
 * probabilities suffice, and tfjs and onnxruntime share this code.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EmotionReadout } from './config.js';

/** Differentiable readout for training: [B, T, E] logits of a left-padded batch → [B, E] logits. */
export function readoutLogits(emotionLogits: tf.Tensor3D, pad: Int32Array, readout: EmotionReadout): tf.Tensor2D {
  const [B, T, E] = emotionLogits.shape;
  if (readout === 'last') return tf.reshape(tf.slice(emotionLogits, [0, T - 1, 0], [B, 1, E]), [B, E]);
  const mask = new Float32Array(B * T);
  for (let b = 0; b < B; b++) mask.fill(1 / (T - pad[b]!), b * T + pad[b]!, (b + 1) * T);
  return tf.sum(tf.mul(emotionLogits, tf.tensor3d(mask, [B, T, 1])), 1) as tf.Tensor2D;
}

/** Inference readout: probs [B·T·E] of a left-padded batch (row b has pad[b] padding slots) → B rows of E. */
export function readoutProbs(probs: Float32Array, B: number, T: number, E: number, pad: ArrayLike<number>, readout: EmotionReadout): number[][] {
  return Array.from({ length: B }, (_, b) => {
    if (readout === 'last') return Array.from(probs.subarray((b * T + T - 1) * E, (b * T + T) * E));
    const start = pad[b]!;
    const mean = new Array<number>(E).fill(0);
    for (let t = start; t < T; t++) {
      // A probability that underflowed to 0 would be −∞ here; 1e-30 stands in far below any real value.
      for (let e = 0; e < E; e++) mean[e]! += Math.log(Math.max(probs[(b * T + t) * E + e]!, 1e-30)) / (T - start);
    }
    const top = Math.max(...mean);
    const ex = mean.map((v) => Math.exp(v - top));
    const sum = ex.reduce((a, x) => a + x, 0);
    return ex.map((x) => x / sum);
  });
}
