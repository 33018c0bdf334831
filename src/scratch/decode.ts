/**
 * Prefill and incremental decoding over the typed-array KV cache.
 *
 * Engine split: the big matrices (qkv, output, MLP, LM head) go through tf matMul — on wasm that is
 * XNNPACK and does almost all the work; everything per-token and small (norms, RoPE, attention over
 * the cache, SwiGLU gating, the emotion head) runs in plain JS loops over Float32Array, where the
 * math is visible and no tensor is created per head. Prefill is the tf forward of transformer.ts,
 * whose rotated keys/values are copied into the cache; tests hold the two paths to 1e-4.
 */
import * as tf from '@tensorflow/tfjs-core';
import { headDim, isBiasLayer, type ModelConfig } from './config.js';
import { KVCache, type KvCacheSpec, type KvDtype } from './kv-cache.js';
import type { DecodeEngine } from './generate.js';
import { ropeTables, rotateInPlace } from './rope.js';
import { forward, padBatch } from './transformer.js';
import type { Weights } from './weights.js';

export interface DecodeOptions {
  bias: boolean;
  window?: number;
}

export interface StepOutput {
  logits: Float32Array; //   [B × V], at the newest position
  emotions: Float32Array; // [B × E], emotion vector at the newest position
}

/**
 * The Decoder as an engine for the decode driver (generate.ts): each generation gets its own cache
 * of `kv` elements, which `onCache` is shown (the model reports the last one's bytes).
 */
export function tfjsEngine(decoder: Decoder, kv: KvDtype, onCache?: (cache: KVCache) => void): DecodeEngine {
  return {
    maxSeq: decoder.cfg.maxSeq,
    ...(decoder.opts.window !== undefined ? { window: decoder.opts.window } : {}),
    open(batch, capacity) {
      const cache = decoder.newCache(batch, capacity, kv);
      onCache?.(cache);
      return { prefill: (rows, pad) => decoder.prefill(cache, rows, pad), step: (tokens) => decoder.step(cache, tokens) };
    },
  };
}

/** Weights read on every token in JS, copied out of tf once per Decoder (1-d and d×5 tensors). */
interface JsWeights {
  attnNorm: Float32Array[];
  mlpNorm: Float32Array[];
  salience: (Float32Array | undefined)[];
  beta: (Float32Array | undefined)[];
  emotion: { norm: Float32Array; head: Float32Array; headBias: Float32Array; proj: Float32Array };
  finalNorm: Float32Array;
}

/** The cache a model needs: kv heads only, plus salience for the bias blocks when the bias is on. */
export function cacheSpec(cfg: ModelConfig, bias: boolean, batch: number, capacity: number, dtype: KvDtype): KvCacheSpec {
  const salienceLayers = bias ? [...Array(cfg.nLayers).keys()].filter((l) => isBiasLayer(cfg, l)) : [];
  return { nLayers: cfg.nLayers, nKvHeads: cfg.nKvHeads, headDim: headDim(cfg), batch, capacity, dtype, salienceLayers, nEmotions: cfg.nEmotions };
}

export class Decoder {
  private readonly js: JsWeights;

  constructor(
    readonly w: Weights<tf.Tensor>,
    readonly cfg: ModelConfig,
    readonly opts: DecodeOptions,
  ) {
    const read = (t: tf.Tensor): Float32Array => Float32Array.from(t.dataSync());
    this.js = {
      attnNorm: w.blocks.map((b) => read(b.attnNorm)),
      mlpNorm: w.blocks.map((b) => read(b.mlpNorm)),
      salience: w.blocks.map((b) => (b.salience ? read(b.salience) : undefined)),
      beta: w.blocks.map((b) => (b.beta ? read(b.beta) : undefined)),
      emotion: { norm: read(w.emotion.norm), head: read(w.emotion.head), headBias: read(w.emotion.headBias), proj: read(w.emotion.proj) },
      finalNorm: read(w.finalNorm),
    };
  }

  newCache(batch: number, capacity: number, dtype: KvDtype): KVCache {
    return new KVCache(cacheSpec(this.cfg, this.opts.bias, batch, capacity, dtype));
  }

  /** Run the prompts (left-padded to one length) through the tf forward and fill the cache. */
  prefill(cache: KVCache, rows: readonly (readonly number[])[], padId: number): StepOutput {
    const { cfg } = this;
    const input = padBatch(rows, padId);
    const { batch: B, seqLen: T } = input;
    const Hkv = cfg.nKvHeads;
    const hd = headDim(cfg);
    const E = cfg.nEmotions;
    const capacity = cache.spec.capacity;
    const out: StepOutput = { logits: new Float32Array(0), emotions: new Float32Array(B * E) };
    tf.tidy(() => {
      const r = forward(this.w, cfg, input, { bias: this.opts.bias, window: this.opts.window, logits: 'last', captureKv: true });
      out.logits = Float32Array.from(r.logits!.dataSync());
      const emotions = r.emotions.dataSync();
      for (let b = 0; b < B; b++) out.emotions.set(emotions.subarray((b * T + T - 1) * E, (b * T + T) * E), b * E);
      cache.pad.set(input.pad);
      cache.length = T;
      // Only the last `capacity` positions fit (a window's ring buffer); earlier ones are out of sight.
      const first = Math.max(0, T - capacity);
      r.kv.forEach((layer, l) => {
        const k = layer.k.dataSync() as Float32Array;
        const v = layer.v.dataSync() as Float32Array;
        for (let b = 0; b < B; b++) {
          for (let h = 0; h < Hkv; h++) {
            for (let t = first; t < T; t++) {
              const at = ((b * Hkv + h) * T + t) * hd;
              cache.write(l, b, h, t, k.subarray(at, at + hd), v.subarray(at, at + hd));
            }
          }
        }
        if (layer.salience !== undefined) {
          const s = layer.salience.dataSync() as Float32Array;
          for (let b = 0; b < B; b++) for (let t = first; t < T; t++) cache.writeSalience(l, b, t, s.subarray((b * T + t) * E, (b * T + t + 1) * E));
        }
      });
    });
    return out;
  }

  /** Feed one token per row at the next position; returns that position's logits and emotions. */
  step(cache: KVCache, tokens: ArrayLike<number>): StepOutput {
    const { cfg, js, w } = this;
    const B = cache.spec.batch;
    const d = cfg.dModel;
    const t = cache.length; // this token's slot index, shared by all rows (left padding)
    cache.length = t + 1;

    const ids = tf.tensor1d(Int32Array.from(tokens), 'int32');
    const rows = tf.gather(w.embed, ids);
    const x = rows.dataSync() as Float32Array; // [B × d], the residual stream
    tf.dispose([ids, rows]);
    // Row b's token sits at position t − pad[b]: padding does not shift positions.
    const rope = ropeTables(Array.from(cache.pad, (pad) => t - pad), headDim(cfg), cfg.ropeTheta);
    const emotions = new Float32Array(B * cfg.nEmotions); // filled at the emotion layer

    for (let l = 0; l < cfg.nLayers; l++) {
      const blk = w.blocks[l]!;
      const h = rmsNormRows(x, B, d, js.attnNorm[l]!, cfg.normEps);
      const qkv = matMul(h, B, blk.wqkv); // [B × (H + 2·Hkv)·hd]: q heads | k heads | v heads
      this.rotateAndStore(cache, l, t, qkv, rope);
      const salience = this.opts.bias ? js.salience[l] : undefined;
      if (salience !== undefined) {
        for (let b = 0; b < B; b++) cache.writeSalience(l, b, t, vecMat(h, b * d, salience, d, cfg.nEmotions));
      }
      const att = this.attend(cache, l, t, qkv, salience !== undefined ? emotions : undefined);
      addInPlace(x, matMul(att, B, blk.wo));

      const gateUp = matMul(rmsNormRows(x, B, d, js.mlpNorm[l]!, cfg.normEps), B, blk.wGateUp);
      addInPlace(x, matMul(swiglu(gateUp, B, cfg.dFF), B, blk.wDown));

      if (l === cfg.emotionLayer) this.emotionFeedback(x, B, emotions);
    }
    const logits = matMul(rmsNormRows(x, B, d, js.finalNorm, cfg.normEps), B, w.lmHead);
    return { logits, emotions };
  }

  /** RoPE on the new q and k heads (in place), then k and v into the cache at slot t. */
  private rotateAndStore(cache: KVCache, layer: number, t: number, qkv: Float32Array, rope: { cos: Float32Array; sin: Float32Array }): void {
    const { nHeads: H, nKvHeads: Hkv } = this.cfg;
    const hd = headDim(this.cfg);
    const width = (H + 2 * Hkv) * hd;
    for (let b = 0; b < cache.spec.batch; b++) {
      for (let h = 0; h < H; h++) rotateInPlace(qkv, b * width + h * hd, hd, rope.cos, rope.sin, b);
      for (let h = 0; h < Hkv; h++) {
        const k = b * width + (H + h) * hd;
        const v = b * width + (H + Hkv + h) * hd;
        rotateInPlace(qkv, k, hd, rope.cos, rope.sin, b);
        cache.write(layer, b, h, t, qkv.subarray(k, k + hd), qkv.subarray(v, v + hd));
      }
    }
  }

  /**
   * Each row's new query against its cached keys: softmax(q·k/√hd + β_h·⟨e_t, s_j⟩)·V, the bias
   * term only when `emotions` is given (a bias block with the bias on). Returns [B × H·hd].
   */
  private attend(cache: KVCache, layer: number, t: number, qkv: Float32Array, emotions?: Float32Array): Float32Array {
    const { nHeads: H, nKvHeads: Hkv, nEmotions: E } = this.cfg;
    const hd = headDim(this.cfg);
    const g = H / Hkv;
    const width = (H + 2 * Hkv) * hd;
    const scale = 1 / Math.sqrt(hd);
    const beta = this.js.beta[layer];
    const out = new Float32Array(cache.spec.batch * H * hd);
    for (let b = 0; b < cache.spec.batch; b++) {
      const { lo, hi } = cache.visible(b, t, this.opts.window);
      const n = hi - lo + 1;
      const slots = Int32Array.from({ length: n }, (_, j) => cache.slot(lo + j));
      // ⟨e_t, s_j⟩ for every visible key j, shared by all heads.
      const affinity = new Float64Array(n);
      if (emotions !== undefined) {
        const S = cache.readSalience(layer, b);
        for (let j = 0; j < n; j++) for (let c = 0; c < E; c++) affinity[j]! += emotions[b * E + c]! * S[slots[j]! * E + c]!;
      }
      const scores = new Float64Array(n);
      const weights = new Float64Array(n);
      const mixed = new Float64Array(hd);
      for (let kvh = 0; kvh < Hkv; kvh++) {
        // [capacity × hd] by slot; int8 with a scale per slot, applied here as the values are read.
        const K = cache.read('k', layer, b, kvh);
        const V = cache.read('v', layer, b, kvh);
        for (let head = kvh * g; head < (kvh + 1) * g; head++) {
          const q = b * width + head * hd;
          const bias = emotions !== undefined ? beta![head]! : 0;
          let max = -Infinity;
          for (let j = 0; j < n; j++) {
            const dot = dotProduct(qkv, q, K.values, slots[j]! * hd, hd) * (K.scales === undefined ? 1 : K.scales[slots[j]!]!);
            scores[j] = dot * scale + bias * affinity[j]!;
            max = Math.max(max, scores[j]!);
          }
          let sum = 0;
          for (let j = 0; j < n; j++) sum += scores[j] = Math.exp(scores[j]! - max);
          for (let j = 0; j < n; j++) weights[j] = (scores[j]! / sum) * (V.scales === undefined ? 1 : V.scales[slots[j]!]!);
          weightedSum(weights, V.values, slots, hd, mixed);
          out.set(mixed, (b * H + head) * hd);
        }
      }
    }
    return out;
  }

  /** The emotion head on the new position: e = softmax(W·norm(x) + b), then x += e·P. Fills `emotions`. */
  private emotionFeedback(x: Float32Array, B: number, emotions: Float32Array): void {
    const { dModel: d, nEmotions: E } = this.cfg;
    const em = this.js.emotion;
    const hn = rmsNormRows(x, B, d, em.norm, this.cfg.normEps);
    for (let b = 0; b < B; b++) {
      const logits = vecMat(hn, b * d, em.head, d, E);
      let max = -Infinity;
      for (let c = 0; c < E; c++) max = Math.max(max, (logits[c]! += em.headBias[c]!));
      let sum = 0;
      for (let c = 0; c < E; c++) sum += logits[c] = Math.exp(logits[c]! - max);
      for (let c = 0; c < E; c++) {
        const e = (emotions[b * E + c] = logits[c]! / sum);
        for (let i = 0; i < d; i++) x[b * d + i]! += e * em.proj[c * d + i]!;
      }
    }
  }
}

/**
 * q[qo … qo+n) · K[ko … ko+n). Four running sums: one sum's chain of dependent adds, not the
 * multiplies, bounds a dot product in JS (measured 1.7× faster on scratch@paper's 64-wide heads).
 */
function dotProduct(q: Float32Array, qo: number, K: Float32Array | Int8Array, ko: number, n: number): number {
  let d0 = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    d0 += q[qo + i]! * K[ko + i]!;
    d1 += q[qo + i + 1]! * K[ko + i + 1]!;
    d2 += q[qo + i + 2]! * K[ko + i + 2]!;
    d3 += q[qo + i + 3]! * K[ko + i + 3]!;
  }
  for (; i < n; i++) d0 += q[qo + i]! * K[ko + i]!;
  return d0 + d1 + (d2 + d3);
}

/**
 * out = Σ_j w[j] · V[slot j] over hd-wide rows, four rows per pass: a quarter of the
 * read-modify-writes of `out`, which bound the one-row loop in JS (measured 2× faster).
 */
function weightedSum(w: Float64Array, V: Float32Array | Int8Array, slots: Int32Array, hd: number, out: Float64Array): void {
  out.fill(0);
  const n = w.length;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const w0 = w[j]!;
    const w1 = w[j + 1]!;
    const w2 = w[j + 2]!;
    const w3 = w[j + 3]!;
    const v0 = slots[j]! * hd;
    const v1 = slots[j + 1]! * hd;
    const v2 = slots[j + 2]! * hd;
    const v3 = slots[j + 3]! * hd;
    for (let i = 0; i < hd; i++) out[i]! += w0 * V[v0 + i]! + w1 * V[v1 + i]! + w2 * V[v2 + i]! + w3 * V[v3 + i]!;
  }
  for (; j < n; j++) {
    const v = slots[j]! * hd;
    for (let i = 0; i < hd; i++) out[i]! += w[j]! * V[v + i]!;
  }
}

/** silu(gate) ⊙ up, from [B × 2F] (gate | up) to [B × F]. */
function swiglu(gateUp: Float32Array, B: number, F: number): Float32Array {
  const out = new Float32Array(B * F);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < F; i++) {
      const gate = gateUp[b * 2 * F + i]!;
      out[b * F + i] = (gate / (1 + Math.exp(-gate))) * gateUp[b * 2 * F + F + i]!;
    }
  }
  return out;
}

/**
 * x [rows × K] · W [K × M] → [rows × M], on the tf backend (XNNPACK on wasm). Tensors are disposed
 * by hand: tf.tidy walks a returned typed array element by element, which costs more than the matMul.
 */
function matMul(x: Float32Array, rows: number, W: tf.Tensor): Float32Array {
  const a = tf.tensor2d(x, [rows, x.length / rows]);
  const y = tf.matMul(a, W);
  const out = y.dataSync() as Float32Array; // a copy: ours to modify after dispose
  a.dispose();
  y.dispose();
  return out;
}

/** Row vector x[off … off+K) times W [K × M] in JS: for the d×5 emotion matrices. */
function vecMat(x: Float32Array, off: number, W: Float32Array, K: number, M: number): Float32Array {
  const out = new Float32Array(M);
  for (let m = 0; m < M; m++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += x[off + k]! * W[k * M + m]!;
    out[m] = s;
  }
  return out;
}

function rmsNormRows(x: Float32Array, rows: number, d: number, gain: Float32Array, eps: number): Float32Array {
  const out = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let i = 0; i < d; i++) ss += x[r * d + i]! * x[r * d + i]!;
    const inv = 1 / Math.sqrt(ss / d + eps);
    for (let i = 0; i < d; i++) out[r * d + i] = x[r * d + i]! * inv * gain[i]!;
  }
  return out;
}

function addInPlace(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) x[i]! += y[i]!;
}
