/**
 * The scratch transformer on WebGPU: its weights in GPU buffers and one forward that serves prefill
 * (B·T rows, tiled attention over the rows themselves) and decode steps (B rows, attention over the
 * cache). A token's path, as src/scratch/README.md, each arrow one kernel:
 *   gather(embed) → per block: rmsnorm → matmul(wqkv) → rope → [matmul(salience)] → kv/salience
 *   write → attention (prefill: tiled; step: fused over the cache) → matmul(wo, += x) → rmsnorm →
 *   matmul(wGateUp) → swiglu → matmul(wDown, += x) → [emotion head + feedback]
 *   → gather(last rows) → rmsnorm → matmul(lmHead) → logits read back.
 * Every dispatch of a forward goes in one compute pass and one submit; the only read-back is the
 * logits [B × V] and emotion vectors.
 */
import { headDim, isBiasLayer, type ModelConfig } from '../scratch/config.js';
import { cacheSpec, type StepOutput } from '../scratch/decode.js';
import type { DecodeEngine } from '../scratch/generate.js';
import type { KvDtype } from '../scratch/kv-cache.js';
import { ropeTables } from '../scratch/rope.js';
import { padBatch } from '../scratch/transformer.js';
import type { Weights } from '../scratch/weights.js';
import type { GpuAllocator } from './allocator.js';
import { prefillAttention } from './attention-prefill.js';
import { decodeAttention } from './attention-decode.js';
import { emotionHead, type EmotionBuffers } from './emotion.js';
import { gatherRows } from './gather.js';
import { GpuKvCache, writeKv, writeSalience, type WriteShape } from './kv-cache.js';
import { matmul, uploadMatrix, type GpuMatrix, type GpuWeightFormat } from './matmul.js';
import { rmsNorm } from './rmsnorm.js';
import { rope } from './rope.js';
import type { GpuRuntime } from './runtime.js';
import { swiglu } from './swiglu.js';

interface BlockBuffers {
  attnNorm: GPUBuffer;
  wqkv: GpuMatrix;
  wo: GpuMatrix;
  mlpNorm: GPUBuffer;
  wGateUp: GpuMatrix;
  wDown: GpuMatrix;
  salience?: GpuMatrix;
  beta?: GPUBuffer;
}

export interface GpuForwardOptions {
  bias: boolean;
  window?: number;
}

/** Activation buffers for up to `rows` rows (B·T) and `batch` rows of logits; reused while they fit. */
class Workspace {
  readonly buffers: Record<string, GPUBuffer> = {};

  constructor(
    private readonly alloc: GpuAllocator,
    readonly rows: number,
    readonly batch: number,
    cfg: ModelConfig,
  ) {
    const hd = headDim(cfg);
    const f = (name: string, floats: number) => (this.buffers[name] = alloc.create('activations', floats * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, name));
    const R = rows;
    const B = batch;
    f('ids', R);
    f('pad', B);
    f('cos', (R * hd) / 2);
    f('sin', (R * hd) / 2);
    f('x', R * cfg.dModel);
    f('h', R * cfg.dModel);
    f('qkv', R * (cfg.nHeads + 2 * cfg.nKvHeads) * hd);
    f('att', R * cfg.dModel);
    f('gateUp', R * 2 * cfg.dFF);
    f('act', R * cfg.dFF);
    f('emotions', R * cfg.nEmotions);
    f('salience', R * cfg.nEmotions);
    f('lastIds', B);
    f('xLast', B * cfg.dModel);
    f('hLast', B * cfg.dModel);
    f('logits', B * cfg.vocabSize);
  }

  get(name: string): GPUBuffer {
    return this.buffers[name]!;
  }

  destroy(): void {
    for (const b of Object.values(this.buffers)) this.alloc.destroy(b);
  }
}

export type ForwardMode =
  /** The prompt rows; with a cache, its last `capacity` slots are filled. */
  | { kind: 'prefill'; cache?: GpuKvCache; until: 'emotion' | 'logits' }
  /** One new token per row at slot cache.length − 1 (already counted). */
  | { kind: 'step'; cache: GpuKvCache };

export class GpuTransformer {
  private readonly embed: GPUBuffer;
  private readonly blocks: BlockBuffers[];
  private readonly emotion: EmotionBuffers;
  private readonly finalNorm: GPUBuffer;
  private readonly lmHead: GpuMatrix;
  private workspace: Workspace | undefined;

  constructor(
    private readonly rt: GpuRuntime,
    readonly cfg: ModelConfig,
    w: Weights<Float32Array>,
    readonly format: GpuWeightFormat,
    readonly opts: GpuForwardOptions,
  ) {
    if (headDim(cfg) % 4 !== 0) throw new Error(`engine=webgpu: head dim ${headDim(cfg)} must be a multiple of 4`);
    const a = rt.alloc;
    const d = cfg.dModel;
    const hd = headDim(cfg);
    const vec = (data: Float32Array, label: string) => a.upload('weights', data, label);
    const mat = (data: Float32Array, K: number, N: number, label: string, format: GpuWeightFormat) => uploadMatrix(a, data, K, N, format, label);
    this.embed = vec(w.embed, 'embed');
    this.blocks = w.blocks.map((b, l) => ({
      attnNorm: vec(b.attnNorm, `blocks.${l}.attnNorm`),
      wqkv: mat(b.wqkv, d, (cfg.nHeads + 2 * cfg.nKvHeads) * hd, `blocks.${l}.wqkv`, format),
      wo: mat(b.wo, d, d, `blocks.${l}.wo`, format),
      mlpNorm: vec(b.mlpNorm, `blocks.${l}.mlpNorm`),
      wGateUp: mat(b.wGateUp, d, 2 * cfg.dFF, `blocks.${l}.wGateUp`, format),
      wDown: mat(b.wDown, cfg.dFF, d, `blocks.${l}.wDown`, format),
      // d×5 and H numbers: fp32 whatever the format, they cost no bandwidth. Held with the bias off
      // too, like every engine holds the file's weights.
      ...(b.salience ? { salience: mat(b.salience, d, cfg.nEmotions, `blocks.${l}.salience`, 'fp32') } : {}),
      ...(b.beta ? { beta: vec(b.beta, `blocks.${l}.beta`) } : {}),
    }));
    this.emotion = { norm: vec(w.emotion.norm, 'emotion.norm'), head: vec(w.emotion.head, 'emotion.head'), headBias: vec(w.emotion.headBias, 'emotion.headBias'), proj: vec(w.emotion.proj, 'emotion.proj') };
    this.finalNorm = vec(w.finalNorm, 'finalNorm');
    this.lmHead = mat(w.lmHead, d, cfg.vocabSize, 'lmHead', format);
  }

  /** This model as an engine of the decode driver (generate.ts): one GPU cache per generation, freed at its end. */
  engine(kv: KvDtype): DecodeEngine {
    return {
      maxSeq: this.cfg.maxSeq,
      ...(this.opts.window !== undefined ? { window: this.opts.window } : {}),
      open: (batch, capacity) => {
        const cache = this.newCache(batch, capacity, kv);
        return { prefill: (rows, pad) => this.prefill(cache, rows, pad), step: (tokens) => this.step(cache, tokens), close: () => cache.destroy() };
      },
    };
  }

  newCache(batch: number, capacity: number, dtype: KvDtype): GpuKvCache {
    return new GpuKvCache(cacheSpec(this.cfg, this.opts.bias, batch, capacity, dtype), this.rt.alloc);
  }

  /** Left-pads the prompts, runs them and fills the cache. */
  async prefill(cache: GpuKvCache, rows: readonly (readonly number[])[], padId: number): Promise<StepOutput> {
    const input = padBatch(rows, padId);
    cache.pad.set(input.pad);
    cache.length = input.seqLen;
    const r = await this.forward(input.ids, input.batch, input.seqLen, input.pad, { kind: 'prefill', cache, until: 'logits' });
    return { logits: r.logits!, emotions: lastRows(r.emotions, input.batch, input.seqLen, this.cfg.nEmotions) };
  }

  /** One token per row at the next slot. */
  async step(cache: GpuKvCache, tokens: ArrayLike<number>): Promise<StepOutput> {
    cache.length++;
    const r = await this.forward(Int32Array.from(tokens), cache.spec.batch, 1, cache.pad, { kind: 'step', cache });
    return { logits: r.logits!, emotions: r.emotions };
  }

  /**
   * Rows ids [B·T] (T per batch row, left padding pad[b]) through the model. Returns logits [B × V]
   * at each row's last position (unless until 'emotion') and the emotion vectors [B·T × E].
   */
  async forward(ids: Int32Array, B: number, T: number, pad: Int32Array, mode: ForwardMode): Promise<{ logits?: Float32Array; emotions: Float32Array }> {
    const { cfg, rt, opts } = this;
    const q = rt.device.queue;
    const R = B * T;
    const d = cfg.dModel;
    const hd = headDim(cfg);
    const E = cfg.nEmotions;
    const ws = this.workspaceFor(R, B);
    const buf = (n: string) => ws.get(n);
    // Slot of each row: prefill rows 0…T−1, a step's row the newest slot. Position = slot − pad.
    const t0 = mode.kind === 'step' ? mode.cache.length - 1 : 0;
    const positions = new Float64Array(R);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) positions[b * T + t] = Math.max(0, t0 + t - pad[b]!);
    const tables = ropeTables(positions, hd, cfg.ropeTheta);
    q.writeBuffer(buf('ids'), 0, Uint32Array.from(ids));
    q.writeBuffer(buf('pad'), 0, Uint32Array.from(pad));
    q.writeBuffer(buf('cos'), 0, tables.cos as Float32Array<ArrayBuffer>);
    q.writeBuffer(buf('sin'), 0, tables.sin as Float32Array<ArrayBuffer>);
    const cache = mode.cache;
    const write: WriteShape = { R, T, t0, first: cache === undefined ? 0 : Math.max(0, T - cache.spec.capacity) };

    const pass = rt.pass();
    gatherRows(rt, pass, this.embed, buf('ids'), buf('x'), R, d);
    const width = (cfg.nHeads + 2 * cfg.nKvHeads) * hd;
    const untilEmotion = mode.kind === 'prefill' && mode.until === 'emotion';
    for (let l = 0; l < cfg.nLayers; l++) {
      const blk = this.blocks[l]!;
      rmsNorm(rt, pass, buf('x'), blk.attnNorm, buf('h'), R, d, cfg.normEps);
      matmul(rt, pass, buf('h'), blk.wqkv, buf('qkv'), R);
      rope(rt, pass, buf('qkv'), buf('cos'), buf('sin'), R, cfg.nHeads + cfg.nKvHeads, hd, width);
      const bias = opts.bias && isBiasLayer(cfg, l) ? blk : undefined;
      if (bias) matmul(rt, pass, buf('h'), bias.salience!, buf('salience'), R);
      if (cache !== undefined) {
        writeKv(rt, pass, cache, l, buf('qkv'), write, cfg.nHeads);
        if (bias) writeSalience(rt, pass, cache, l, buf('salience'), write);
      }
      if (mode.kind === 'step') {
        decodeAttention(rt, pass, {
          cache: mode.cache,
          layer: l,
          qkv: buf('qkv'),
          pad: buf('pad'),
          out: buf('att'),
          nHeads: cfg.nHeads,
          t: t0,
          ...(opts.window ? { window: opts.window } : {}),
          ...(bias ? { bias: { emotions: buf('emotions'), beta: bias.beta! } } : {}),
        });
      } else {
        prefillAttention(rt, pass, {
          qkv: buf('qkv'),
          pad: buf('pad'),
          out: buf('att'),
          B,
          T,
          nHeads: cfg.nHeads,
          nKvHeads: cfg.nKvHeads,
          headDim: hd,
          nEmotions: E,
          ...(opts.window ? { window: opts.window } : {}),
          ...(bias ? { bias: { emotions: buf('emotions'), salience: buf('salience'), beta: bias.beta! } } : {}),
        });
      }
      matmul(rt, pass, buf('att'), blk.wo, buf('x'), R, { accumulate: true });
      rmsNorm(rt, pass, buf('x'), blk.mlpNorm, buf('h'), R, d, cfg.normEps);
      matmul(rt, pass, buf('h'), blk.wGateUp, buf('gateUp'), R);
      swiglu(rt, pass, buf('gateUp'), buf('act'), R, cfg.dFF);
      matmul(rt, pass, buf('act'), blk.wDown, buf('x'), R, { accumulate: true });
      if (l === cfg.emotionLayer) {
        emotionHead(rt, pass, buf('x'), this.emotion, buf('emotions'), R, d, E, cfg.normEps);
        if (untilEmotion) break;
      }
    }
    const reads = [{ buffer: buf('emotions'), bytes: R * E * 4 }];
    if (!untilEmotion) {
      q.writeBuffer(buf('lastIds'), 0, Uint32Array.from({ length: B }, (_, b) => b * T + T - 1));
      gatherRows(rt, pass, buf('x'), buf('lastIds'), buf('xLast'), B, d);
      rmsNorm(rt, pass, buf('xLast'), this.finalNorm, buf('hLast'), B, d, cfg.normEps);
      matmul(rt, pass, buf('hLast'), this.lmHead, buf('logits'), B);
      reads.push({ buffer: buf('logits'), bytes: B * cfg.vocabSize * 4 });
    }
    const [emotions, logits] = await pass.submit(reads);
    return { emotions: emotions!, ...(logits ? { logits } : {}) };
  }

  /** Frees the activation buffers (the next forward allocates them again). */
  releaseWorkspace(): void {
    this.workspace?.destroy();
    this.workspace = undefined;
  }

  private workspaceFor(rows: number, batch: number): Workspace {
    const ws = this.workspace;
    if (ws !== undefined && ws.rows >= rows && ws.batch >= batch) return ws;
    ws?.destroy();
    this.workspace = new Workspace(this.rt.alloc, Math.max(rows, ws?.rows ?? 0), Math.max(batch, ws?.batch ?? 0), this.cfg);
    return this.workspace;
  }
}

/** Row b's last position of [B·T × E]. */
function lastRows(x: Float32Array, B: number, T: number, E: number): Float32Array {
  const out = new Float32Array(B * E);
  for (let b = 0; b < B; b++) out.set(x.subarray((b * T + T - 1) * E, (b * T + T) * E), b * E);
  return out;
}
