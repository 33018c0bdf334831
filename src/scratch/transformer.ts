/**
 * The full-sequence forward pass, written with tf ops only so it is differentiable
 * (tf.variableGrads) — training, prefill, classification and attention maps all use it.
 * Incremental decoding lives in decode.ts and must agree with this to 1e-4.
 *
 * Shapes: B batch rows, T positions, N = B·T, d model width, H query heads, Hkv key/value heads,
 * g = H / Hkv query heads per kv head, hd head width, E = 5 emotions, V vocabulary.
 */
import * as tf from '@tensorflow/tfjs-core';
import { headDim, isBiasLayer, type ModelConfig } from './config.js';
import { ropeTables } from './rope.js';
import type { BlockWeights, Weights } from './weights.js';

/** A left-padded batch: row b holds pad[b] padding tokens, then its real tokens. */
export interface TokenBatch {
  ids: Int32Array; // [B·T]
  batch: number;
  seqLen: number;
  pad: Int32Array; // [B]
}

export interface ForwardOptions {
  /** Emotion attention bias in the blocks after the emotion layer; false gives plain softmax(QKᵀ/√hd)V. */
  bias: boolean;
  /** Sliding window: position i attends to j only if i − window < j ≤ i. */
  window?: number;
  /** 'last' computes the LM head on the final position only (prefill); 'none' skips it. */
  logits?: 'all' | 'last' | 'none';
  /** Stop after the emotion head: all that classification needs. */
  untilEmotion?: boolean;
  /** Keep rotated keys, values and salience per layer, to fill a KV cache after prefill. */
  captureKv?: boolean;
  /** Keep the attention probabilities per layer. */
  captureAttention?: boolean;
}

export interface LayerKv {
  k: tf.Tensor4D; //  [B, Hkv, T, hd], RoPE applied
  v: tf.Tensor4D; //  [B, Hkv, T, hd]
  salience?: tf.Tensor3D; // [B, T, E] (emotion-bias blocks, bias on)
}

export interface ForwardResult {
  /** [B, T, V] for 'all', [B, V] for 'last'. */
  logits?: tf.Tensor;
  emotionLogits: tf.Tensor3D; // [B, T, E]
  emotions: tf.Tensor3D; //      [B, T, E] softmax of the above
  kv: LayerKv[];
  attention: tf.Tensor4D[]; //   [B, H, T, T] per block run
}

/** Call inside tf.tidy (or tf.variableGrads): intermediate tensors are not disposed here. */
export function forward(w: Weights<tf.Tensor>, cfg: ModelConfig, input: TokenBatch, opts: ForwardOptions): ForwardResult {
  const { batch: B, seqLen: T } = input;
  const d = cfg.dModel;
  const mask = attentionMask(input, opts.window);
  const rope = ropeFor(input, cfg);

  let x: tf.Tensor = embed(w.embed as tf.Tensor2D, input.ids); // [N, d]
  let emotionLogits: tf.Tensor3D | undefined;
  let emotions: tf.Tensor3D | undefined;
  const kv: LayerKv[] = [];
  const attention: tf.Tensor4D[] = [];

  for (let l = 0; l < cfg.nLayers; l++) {
    const blk = w.blocks[l]!;
    // The emotion vector of position i (from the emotion head, ≤ i) biases attention in later blocks.
    const emotionForBias = opts.bias && isBiasLayer(cfg, l) ? emotions : undefined;
    // One tidy per block: a block's [B, H, T, T] intermediates are freed before the next block runs,
    // so prefill of a long prompt peaks at one block's scores instead of nLayers' (4 GB wasm heap at
    // paper size, T = 1024). Under tf.variableGrads the tape keeps its own copies of what backprop needs.
    const [xNext, k, v, salience, probs] = tf.tidy(() => {
      const a = attentionBlock(blk, cfg, x, { B, T, mask, rope, emotions: emotionForBias });
      const h = tf.add(x, a.out);
      return [tf.add(h, mlp(blk, cfg, h)), ...(opts.captureKv ? [a.kv.k, a.kv.v, a.kv.salience] : [undefined, undefined, undefined]), opts.captureAttention ? a.probs : undefined];
    });
    x = xNext!;
    if (opts.captureKv) kv.push({ k: k as tf.Tensor4D, v: v as tf.Tensor4D, salience: salience as tf.Tensor3D | undefined });
    if (probs !== undefined) attention.push(probs as tf.Tensor4D);

    if (l === cfg.emotionLayer) {
      // Emotion head: a causal per-position read of the residual stream (position t has only seen
      // ≤ t), then written back, so the vector evolves token by token and conditions what follows.
      const em = w.emotion;
      const logits = tf.add(tf.matMul(rmsNorm(x, em.norm, cfg.normEps), em.head), em.headBias); // [N, E]
      const probs = tf.softmax(logits);
      x = tf.add(x, tf.matMul(probs, em.proj));
      emotionLogits = tf.reshape(logits, [B, T, cfg.nEmotions]);
      emotions = tf.reshape(probs, [B, T, cfg.nEmotions]);
      if (opts.untilEmotion) break;
    }
  }
  if (emotionLogits === undefined || emotions === undefined) throw new Error('unreachable: emotion layer not run');

  let logits: tf.Tensor | undefined;
  if (!opts.untilEmotion && opts.logits !== 'none') {
    const h = opts.logits === 'last' ? tf.reshape(tf.slice(tf.reshape(x, [B, T, d]), [0, T - 1, 0], [B, 1, d]), [B, d]) : x;
    logits = tf.matMul(rmsNorm(h, w.finalNorm, cfg.normEps), w.lmHead);
    if (opts.logits !== 'last') logits = tf.reshape(logits, [B, T, cfg.vocabSize]);
  }
  return { logits, emotionLogits, emotions, kv, attention };
}

interface AttentionContext {
  B: number;
  T: number;
  mask: tf.Tensor4D; // [B, 1, T, T] additive
  rope: { cos: tf.Tensor4D; sin: tf.Tensor4D }; // [B, 1, T, hd/2]
  emotions?: tf.Tensor3D; // [B, T, E] when this block applies the emotion bias
}

function attentionBlock(blk: BlockWeights<tf.Tensor>, cfg: ModelConfig, x: tf.Tensor, ctx: AttentionContext) {
  const { B, T } = ctx;
  const H = cfg.nHeads;
  const Hkv = cfg.nKvHeads;
  const g = H / Hkv;
  const hd = headDim(cfg);

  const h = rmsNorm(x, blk.attnNorm, cfg.normEps); // [N, d]
  const [q, k, v] = tf.split(tf.matMul(h, blk.wqkv), [H * hd, Hkv * hd, Hkv * hd], 1);
  const heads = (t: tf.Tensor, n: number): tf.Tensor4D => tf.transpose(tf.reshape(t, [B, T, n, hd]), [0, 2, 1, 3]); // [B, n, T, hd]
  const qr = applyRope(heads(q!, H), ctx.rope);
  const kr = applyRope(heads(k!, Hkv), ctx.rope);
  const vh = heads(v!, Hkv);

  // Grouped-query attention without copying k/v: the g query heads that share kv head j are
  // consecutive (head = j·g + r), so [B, H, T, hd] reshapes to [B, Hkv, g·T, hd] against k [B, Hkv, T, hd].
  const qk = tf.matMul(tf.reshape(qr, [B, Hkv, g * T, hd]), kr, false, true); // [B, Hkv, g·T, T]
  let scores = tf.add(tf.reshape(tf.mul(qk, 1 / Math.sqrt(hd)), [B, H, T, T]), ctx.mask);

  let salience: tf.Tensor3D | undefined;
  if (ctx.emotions !== undefined && blk.salience !== undefined && blk.beta !== undefined) {
    // Emotion bias: logits[b,h,i,j] += β_h · ⟨e_i, s_j⟩ — query i's emotion against key j's salience.
    salience = tf.reshape(tf.matMul(h, blk.salience), [B, T, cfg.nEmotions]);
    const affinity = tf.reshape(tf.matMul(ctx.emotions, salience, false, true), [B, 1, T, T]);
    scores = tf.add(scores, tf.mul(affinity, tf.reshape(blk.beta, [1, H, 1, 1])));
  }
  const probs = tf.softmax(scores) as tf.Tensor4D; // [B, H, T, T]
  const mixed = tf.matMul(tf.reshape(probs, [B, Hkv, g * T, T]), vh); // [B, Hkv, g·T, hd]
  const out = tf.reshape(tf.transpose(tf.reshape(mixed, [B, H, T, hd]), [0, 2, 1, 3]), [B * T, H * hd]);
  return { out: tf.matMul(out, blk.wo), probs, kv: { k: kr, v: vh, salience } };
}

/** SwiGLU: down(silu(h·Wgate) ⊙ h·Wup). */
export function mlp(blk: BlockWeights<tf.Tensor>, cfg: ModelConfig, x: tf.Tensor): tf.Tensor {
  const h = rmsNorm(x, blk.mlpNorm, cfg.normEps);
  const [gate, up] = tf.split(tf.matMul(h, blk.wGateUp), 2, 1);
  return tf.matMul(tf.mul(tf.mul(gate!, tf.sigmoid(gate!)), up!), blk.wDown);
}

export function rmsNorm(x: tf.Tensor, gain: tf.Tensor, eps: number): tf.Tensor {
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), gain);
}

/**
 * Embedding lookup as a gather, with its gradient computed in JS: tf's gather gradient needs the
 * UnsortedSegmentSum kernel, which the wasm backend lacks. The gradient just adds each output
 * row's dy into the table row it came from.
 */
function embed(table: tf.Tensor2D, ids: Int32Array): tf.Tensor2D {
  const [V, d] = table.shape;
  const lookup = tf.customGrad((...inputs) => ({
    value: tf.gather(inputs[0] as tf.Tensor, tf.tensor1d(ids, 'int32')),
    gradFunc: (dy: tf.Tensor) => {
      const dyData = dy.dataSync();
      const grad = new Float32Array(V * d);
      for (let r = 0; r < ids.length; r++) {
        const row = ids[r]! * d;
        for (let c = 0; c < d; c++) grad[row + c]! += dyData[r * d + c]!;
      }
      return tf.tensor2d(grad, [V, d]);
    },
  }));
  return lookup(table) as tf.Tensor2D;
}

/** Half-split rotation, matching rotateInPlace in rope.ts. */
export function applyRope(x: tf.Tensor4D, rope: { cos: tf.Tensor4D; sin: tf.Tensor4D }): tf.Tensor4D {
  const [x1, x2] = tf.split(x, 2, 3);
  const { cos, sin } = rope;
  return tf.concat([tf.sub(tf.mul(x1!, cos), tf.mul(x2!, sin)), tf.add(tf.mul(x1!, sin), tf.mul(x2!, cos))], 3) as tf.Tensor4D;
}

/** Row b's token at slot t sits at position t − pad[b]: padding does not shift a prompt's positions. */
function ropeFor(input: TokenBatch, cfg: ModelConfig): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const { batch: B, seqLen: T } = input;
  const positions = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) positions[b * T + t] = Math.max(0, t - input.pad[b]!);
  const half = headDim(cfg) / 2;
  const { cos, sin } = ropeTables(positions, headDim(cfg), cfg.ropeTheta);
  return { cos: tf.tensor4d(cos, [B, 1, T, half]), sin: tf.tensor4d(sin, [B, 1, T, half]) };
}

/**
 * Additive mask [B, 1, T, T]: 0 where query i may attend key j, −1e9 elsewhere. Allowed: causal
 * (j ≤ i), inside the window, and not a padding key — except a padding query attends to itself
 * alone, so its row stays finite without looking at anything real.
 */
export function attentionMask(input: TokenBatch, window?: number): tf.Tensor4D {
  const { batch: B, seqLen: T } = input;
  const m = new Float32Array(B * T * T).fill(-1e9);
  for (let b = 0; b < B; b++) {
    const pad = input.pad[b]!;
    for (let i = 0; i < T; i++) {
      const lo = Math.max(pad, window === undefined ? 0 : i - window + 1);
      for (let j = lo; j <= i; j++) m[(b * T + i) * T + j] = 0;
      if (i < pad) m[(b * T + i) * T + i] = 0;
    }
  }
  return tf.tensor4d(m, [B, 1, T, T]);
}

/** Left-pad token rows into one batch. */
export function padBatch(rows: readonly (readonly number[])[], padId: number): TokenBatch {
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(B * T).fill(padId);
  const pad = new Int32Array(B);
  rows.forEach((r, b) => {
    pad[b] = T - r.length;
    ids.set(r, b * T + pad[b]!);
  });
  return { ids, batch: B, seqLen: T, pad };
}
