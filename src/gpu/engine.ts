/**
 * `scratch…?engine=webgpu`: the scratch model on this repository's WGSL kernels, with the same
 * interface as ScratchModel (tfjs) and OrtScratchEngine for the harness — classify through the
 * emotion head, generate through the shared generation loop (scratch/generate.ts), KV bytes,
 * weight bytes — plus the GPU memory the allocator holds, by purpose.
 */
import { countParams, EMOTIONS, validateConfig, type ModelConfig } from '../scratch/config.js';
import { cacheSpec } from '../scratch/decode.js';
import { generate, scratchTokens, type GenerateOptions, type Generation, type TokenEvent } from '../scratch/generate.js';
import { kvByteCounts, type KvBytes, type KvDtype } from '../scratch/kv-cache.js';
import { readoutProbs } from '../scratch/readout.js';
import type { Tokenizer } from '../scratch/tokenizer.js';
import { padBatch } from '../scratch/transformer.js';
import type { Weights } from '../scratch/weights.js';
import { UserError } from '../errors.js';
import { GpuAllocator, type BytesByPurpose } from './allocator.js';
import { adapterLine, openGpu, type Gpu, type GpuAdapterInfo } from './device.js';
import type { GpuWeightFormat } from './matmul.js';
import { GpuTransformer } from './model.js';
import { GpuRuntime } from './runtime.js';

export interface GpuEngineOptions {
  kv: KvDtype;
  bias: boolean;
  window?: number;
  weights: GpuWeightFormat;
}

export interface GpuEngineInfo {
  engine: 'webgpu';
  /** Where the arithmetic runs, in words (lavapipe is marked software). */
  device: string;
  adapter: GpuAdapterInfo;
  weights: GpuWeightFormat;
}

export class GpuScratchEngine {
  private constructor(
    readonly config: ModelConfig,
    readonly tokenizer: Tokenizer,
    private readonly options: GpuEngineOptions,
    private readonly gpu: Gpu,
    readonly alloc: GpuAllocator,
    private readonly rt: GpuRuntime,
    readonly model: GpuTransformer,
  ) {}

  static async create(config: ModelConfig, weights: Weights<Float32Array>, tokenizer: Tokenizer, options: GpuEngineOptions): Promise<GpuScratchEngine> {
    validateConfig(config);
    if ((config.dModel / config.nHeads) % 4 !== 0) throw new UserError(`engine=webgpu: head dim ${config.dModel / config.nHeads} must be a multiple of 4`);
    if (tokenizer.vocabSize > config.vocabSize) throw new UserError(`scratch model: tokenizer has ${tokenizer.vocabSize} tokens but the model only ${config.vocabSize}`);
    const gpu = await openGpu();
    const alloc = new GpuAllocator(gpu.device);
    const rt = new GpuRuntime(gpu.device, alloc);
    const model = new GpuTransformer(rt, config, weights, options.weights, { bias: options.bias, ...(options.window ? { window: options.window } : {}) });
    return new GpuScratchEngine(config, tokenizer, options, gpu, alloc, rt, model);
  }

  /** Emotion probabilities (joy, anger, sadness, surprise, neutral) per text; blocks after the emotion head do not run. */
  async classifyBatch(texts: readonly string[], opts: { batchSize?: number } = {}): Promise<number[][]> {
    const batchSize = opts.batchSize ?? 16;
    const E = this.config.nEmotions;
    const ids = texts.map((t) => this.tokenizer.encode(t, { bos: true }).slice(-this.config.maxSeq));
    const order = [...ids.keys()].sort((a, b) => ids[a]!.length - ids[b]!.length);
    const out: number[][] = new Array<number[]>(texts.length);
    for (let s = 0; s < order.length; s += batchSize) {
      const chunk = order.slice(s, s + batchSize);
      const input = padBatch(chunk.map((i) => ids[i]!), this.tokenizer.pad);
      const { emotions } = await this.model.forward(input.ids, input.batch, input.seqLen, input.pad, { kind: 'prefill', until: 'emotion' });
      readoutProbs(emotions, chunk.length, input.seqLen, E, input.pad, this.config.emotionReadout ?? 'last').forEach((p, b) => (out[chunk[b]!] = p));
    }
    return out;
  }

  async generate(prompt: string, opts: GenerateOptions = {}, onToken?: (e: TokenEvent) => void): Promise<Generation> {
    return (await this.generateBatch([prompt], opts, onToken))[0]!;
  }

  /** The shared decode driver over this engine's prefill and step; each generation's cache is freed at its end. */
  async generateBatch(prompts: readonly string[], opts: GenerateOptions = {}, onToken?: (e: TokenEvent) => void): Promise<Generation[]> {
    return generate(this.model.engine(this.options.kv), scratchTokens(this.tokenizer), prompts, opts, onToken);
  }

  /** Bytes of a cache holding `tokens` positions for `batch` rows (window-capped), as the GPU cache allocates them. */
  kvBytes(shape: { tokens: number; batch: number }): KvBytes {
    const capacity = Math.min(shape.tokens, this.options.window ?? shape.tokens);
    const bytes = kvByteCounts(cacheSpec(this.config, this.options.bias, shape.batch, capacity, this.options.kv), capacity);
    return { dtype: this.options.kv, batch: shape.batch, capacity, tokens: capacity, allocated: bytes, used: bytes };
  }

  /** Weight bytes on the GPU (fp32, f16 or int8 with scales; norms and the emotion head in fp32). */
  weightBytes(): number {
    return this.alloc.held().weights;
  }

  /** GPU bytes held now, by purpose. */
  gpuBytes(): BytesByPurpose {
    return this.alloc.held();
  }

  info(): { config: ModelConfig; params: number; engine: GpuEngineInfo; options: { kv: KvDtype; bias: boolean; window: number | null; weights: GpuWeightFormat }; emotions: readonly string[] } {
    const { kv, bias, window, weights } = this.options;
    return {
      config: this.config,
      params: countParams(this.config),
      engine: { engine: 'webgpu', device: adapterLine(this.gpu.adapter), adapter: this.gpu.adapter, weights },
      options: { kv, bias, window: window ?? null, weights },
      emotions: EMOTIONS,
    };
  }

  /** Destroys every buffer (weights, activations, staging) and the device. */
  dispose(): void {
    this.model.releaseWorkspace();
    this.rt.dispose();
    this.alloc.destroyAll();
    this.gpu.close();
  }
}
