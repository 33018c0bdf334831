/**
 * The scratch model on @tensorflow/tfjs-backend-webgpu: the framework's own WGSL kernels, on the same
 * Dawn adapter as engine=webgpu, as the reference our kernels are measured against
 * (bench/tfjs-webgpu-decode.ts, tests/gpu/tfjs-webgpu.test.ts). Bench-only: nothing in src/ imports it.
 *
 * Prefill is transformer.ts's `forward` unchanged. The product's tfjs decode step (decode.ts) cannot
 * run here: it reads every matMul back with dataSync, which this backend implements only through
 * OffscreenCanvas (absent in Node). So decoding is the same step written in tf ops alone, the way a
 * tfjs user would: the cache is per-layer K/V tensors that grow by concat (tfjs has no in-place
 * write), and the logits and emotion vector are the one read-back per step.
 *
 * Shapes: B rows, t cached positions, H query heads sharing Hkv kv heads (g = H / Hkv), hd head
 * width, d model width, E emotions, V vocabulary.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { describeAdapter, LAVAPIPE_ICD, type GpuAdapterInfo } from '../src/gpu/device.js';
import { headDim, isBiasLayer, type ModelConfig } from '../src/scratch/config.js';
import type { DecodeEngine, DecodeSession, StepOutput } from '../src/scratch/generate.js';
import { ropeTables } from '../src/scratch/rope.js';
import { applyRope, forward, mlp, padBatch, rmsNorm } from '../src/scratch/transformer.js';
import { mapWeights, weightShapes, type Weights } from '../src/scratch/weights.js';

export interface TfjsWebgpu {
  adapter: GpuAdapterInfo;
  /** Removes the backend, destroys its device and lets go of Dawn's instance (or Node never exits). */
  close(): void;
}

/**
 * Registers tfjs's 'webgpu' backend on the Dawn adapter and makes it the active backend. The backend
 * registers itself at import only if `navigator.gpu` exists, which Node 20 lacks: `navigator` is
 * set to Dawn's instance first. That object must stay referenced while the device lives (Dawn
 * crashes in ProcessEvents when V8 collects it): `navigator` holds it until close().
 */
export async function useTfjsWebgpu(): Promise<TfjsWebgpu> {
  if (process.env.VK_ICD_FILENAMES === undefined && process.env.VK_DRIVER_FILES === undefined && existsSync(LAVAPIPE_ICD)) {
    process.env.VK_ICD_FILENAMES = LAVAPIPE_ICD;
  }
  const dawn = (await import('webgpu')) as { create(options: string[]): GPU; globals: object };
  Object.assign(globalThis, dawn.globals);
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  const nav = g.navigator as { gpu?: GPU };
  const ours = nav.gpu === undefined;
  if (ours) nav.gpu = dawn.create([]);
  // The adapter tfjs will take (its own request, same options); tfjs keeps only vendor and architecture of its info.
  const adapter = await nav.gpu!.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error('tfjs-backend-webgpu: no WebGPU adapter');
  const info = describeAdapter(adapter.info);
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs-backend-webgpu did not initialise on this adapter');
  await tf.ready();
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  return {
    adapter: info,
    close() {
      tf.removeBackend('webgpu');
      device.destroy();
      if (ours) delete nav.gpu;
    },
  };
}

/** The model's weights as tensors on the active backend. */
export function tfjsWeights(cfg: ModelConfig, w: Weights<Float32Array>): Weights<tf.Tensor> {
  const shapes = weightShapes(cfg);
  return mapWeights(w, (name, data) => tf.tensor(data, shapes.get(name)));
}

/** One generation's cache: per layer K/V [B, Hkv, t, hd] (RoPE applied), salience [B, t, E] on bias blocks. */
interface TensorCache {
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
  salience: (tf.Tensor3D | undefined)[];
  pad: Int32Array;
  length: number;
}

/** The decode driver's engine over the tensors of `w` (bias on or off; no sliding window). */
export function tfjsWebgpuEngine(w: Weights<tf.Tensor>, cfg: ModelConfig, bias: boolean): DecodeEngine {
  return {
    maxSeq: cfg.maxSeq,
    open(): DecodeSession {
      let cache: TensorCache | undefined;
      const drop = () => {
        if (cache !== undefined) tf.dispose([...cache.k, ...cache.v, ...cache.salience.filter((s) => s !== undefined)]);
      };
      return {
        async prefill(rows, pad) {
          const input = padBatch(rows, pad);
          const { batch: B, seqLen: T } = input;
          const out = tidy(() => {
            const r = forward(w, cfg, input, { bias, logits: 'last', captureKv: true });
            const last = tf.reshape(tf.slice(r.emotions, [0, T - 1, 0], [B, 1, cfg.nEmotions]), [B, cfg.nEmotions]);
            return { read: tf.concat([r.logits!, last], 1), k: r.kv.map((l) => l.k), v: r.kv.map((l) => l.v), salience: r.kv.map((l) => l.salience) };
          });
          drop();
          cache = { k: out.k, v: out.v, salience: out.salience, pad: input.pad, length: T };
          return split(out.read, B, cfg);
        },
        async step(tokens) {
          if (cache === undefined) throw new Error('step before prefill');
          const c = cache;
          const out = tidy(() => decodeStep(w, cfg, bias, c, tokens));
          tf.dispose([...c.k, ...c.v, ...c.salience.filter((s) => s !== undefined)]);
          cache = { k: out.k, v: out.v, salience: out.salience, pad: c.pad, length: c.length + 1 };
          return split(out.read, tokens.length, cfg);
        },
        close: drop,
      };
    },
  };
}

interface StepTensors {
  read: tf.Tensor; // [B, V + E]: logits | emotions
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
  salience: (tf.Tensor3D | undefined)[];
}

/** tf.tidy keeping the step's tensors (its types do not follow nested arrays with holes). */
function tidy(f: () => StepTensors): StepTensors {
  return tf.tidy(f as unknown as () => tf.TensorContainer) as unknown as StepTensors;
}

/** [B × (V + E)] on the GPU → logits and emotions, in one read-back. */
async function split(read: tf.Tensor, B: number, cfg: ModelConfig): Promise<StepOutput> {
  const data = (await read.data()) as Float32Array;
  read.dispose();
  const V = cfg.vocabSize;
  const E = cfg.nEmotions;
  const logits = new Float32Array(B * V);
  const emotions = new Float32Array(B * E);
  for (let b = 0; b < B; b++) {
    logits.set(data.subarray(b * (V + E), b * (V + E) + V), b * V);
    emotions.set(data.subarray(b * (V + E) + V, (b + 1) * (V + E)), b * E);
  }
  return { logits, emotions };
}

/** One token per row at slot t = cache.length; call inside tf.tidy. */
function decodeStep(w: Weights<tf.Tensor>, cfg: ModelConfig, bias: boolean, cache: TensorCache, tokens: Int32Array): StepTensors {
  const B = tokens.length;
  const { nHeads: H, nKvHeads: Hkv, nEmotions: E } = cfg;
  const g = H / Hkv;
  const hd = headDim(cfg);
  const t = cache.length;
  // Row b's token sits at position t − pad[b]; its padding keys (slots < pad[b]) are masked.
  const rope = ropeTables(Array.from(cache.pad, (p) => t - p), hd, cfg.ropeTheta);
  const cos = tf.tensor4d(rope.cos, [B, 1, 1, hd / 2]);
  const sin = tf.tensor4d(rope.sin, [B, 1, 1, hd / 2]);
  const maskData = new Float32Array(B * (t + 1));
  for (let b = 0; b < B; b++) maskData.fill(-1e9, b * (t + 1), b * (t + 1) + cache.pad[b]!);
  const mask = tf.tensor4d(maskData, [B, 1, 1, t + 1]);

  let x: tf.Tensor = tf.gather(w.embed, tf.tensor1d(tokens, 'int32')); // [B, d]
  let emotions: tf.Tensor | undefined; // [B, E], from the emotion layer on
  const k: tf.Tensor4D[] = [];
  const v: tf.Tensor4D[] = [];
  const salience: (tf.Tensor3D | undefined)[] = [];
  for (let l = 0; l < cfg.nLayers; l++) {
    const blk = w.blocks[l]!;
    const h = rmsNorm(x, blk.attnNorm, cfg.normEps);
    const [q, kNew, vNew] = tf.split(tf.matMul(h, blk.wqkv), [H * hd, Hkv * hd, Hkv * hd], 1);
    const qr = applyRope(tf.reshape(q!, [B, H, 1, hd]) as tf.Tensor4D, { cos, sin });
    const K = tf.concat([cache.k[l]!, applyRope(tf.reshape(kNew!, [B, Hkv, 1, hd]) as tf.Tensor4D, { cos, sin })], 2) as tf.Tensor4D; // [B, Hkv, t+1, hd]
    const Vc = tf.concat([cache.v[l]!, tf.reshape(vNew!, [B, Hkv, 1, hd])], 2) as tf.Tensor4D;
    k.push(K);
    v.push(Vc);
    // The g query heads of kv head j are consecutive: [B, H, 1, hd] → [B, Hkv, g, hd] against K.
    let scores = tf.add(tf.reshape(tf.mul(tf.matMul(tf.reshape(qr, [B, Hkv, g, hd]), K, false, true), 1 / Math.sqrt(hd)), [B, H, 1, t + 1]), mask);
    let S: tf.Tensor3D | undefined;
    if (bias && emotions !== undefined && isBiasLayer(cfg, l) && blk.salience !== undefined && blk.beta !== undefined) {
      // Emotion bias: + β_h · ⟨e_t, s_j⟩, the new token's emotion against every cached key's salience.
      S = tf.concat([cache.salience[l]!, tf.reshape(tf.matMul(h, blk.salience), [B, 1, E])], 1) as tf.Tensor3D; // [B, t+1, E]
      const affinity = tf.reshape(tf.matMul(tf.reshape(emotions, [B, 1, E]), S, false, true), [B, 1, 1, t + 1]);
      scores = tf.add(scores, tf.mul(affinity, tf.reshape(blk.beta, [1, H, 1, 1])));
    }
    salience.push(S);
    const probs = tf.softmax(scores); // [B, H, 1, t+1]
    const mixed = tf.reshape(tf.matMul(tf.reshape(probs, [B, Hkv, g, t + 1]), Vc), [B, H * hd]);
    x = tf.add(x, tf.matMul(mixed, blk.wo));
    x = tf.add(x, mlp(blk, cfg, x));
    if (l === cfg.emotionLayer) {
      const em = w.emotion;
      emotions = tf.softmax(tf.add(tf.matMul(rmsNorm(x, em.norm, cfg.normEps), em.head), em.headBias));
      x = tf.add(x, tf.matMul(emotions, em.proj));
    }
  }
  const logits = tf.matMul(rmsNorm(x, w.finalNorm, cfg.normEps), w.lmHead); // [B, V]
  return { read: tf.concat([logits, emotions!], 1), k, v, salience };
}

/** A copy of every logits array an engine returns (the driver overwrites banned ids in place). */
export function recording(engine: DecodeEngine, logits: Float32Array[]): DecodeEngine {
  const keep = (out: StepOutput): StepOutput => (logits.push(Float32Array.from(out.logits)), out);
  return {
    ...engine,
    open(batch, capacity) {
      const s = engine.open(batch, capacity);
      return { prefill: async (rows, pad) => keep(await s.prefill(rows, pad)), step: async (tokens) => keep(await s.step(tokens)), close: () => s.close?.() };
    },
  };
}

export interface Agreement {
  /** Forwards whose inputs were identical in both runs (the prefill, then each step until the tokens part). */
  compared: number;
  /** max |a − b| over their logits. */
  maxAbs: number;
  /** max |b| over the same logits, to read maxAbs against. */
  scale: number;
  /** First new-token index (over all rows, row-major) where the greedy choices differ; -1 if none. */
  firstDifference: number;
}

/**
 * Two recorded greedy runs of the same prompts: forward i was fed the tokens chosen from forwards
 * < i, so its logits are comparable only while every earlier choice agreed.
 */
export function agreement(a: { ids: number[][]; logits: Float32Array[] }, b: { ids: number[][]; logits: Float32Array[] }): Agreement {
  const steps = Math.max(...a.ids.map((r) => r.length), ...b.ids.map((r) => r.length));
  let first = -1;
  for (let i = 0; i < steps && first < 0; i++) if (a.ids.some((r, row) => r[i] !== b.ids[row]![i])) first = i;
  const compared = Math.min(first < 0 ? steps : first + 1, a.logits.length, b.logits.length);
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < compared; i++) {
    const x = a.logits[i]!;
    const y = b.logits[i]!;
    for (let j = 0; j < x.length; j++) {
      maxAbs = Math.max(maxAbs, Math.abs(x[j]! - y[j]!));
      scale = Math.max(scale, Math.abs(y[j]!));
    }
  }
  return { compared, maxAbs, scale, firstDifference: first };
}
