/**
 * The scratch emotion model as the harness sees it: weights + tokenizer + inference options.
 *
 *   const m = await ScratchModel.load('models/small', { kv: 'int8' });
 *   await m.classify('I lost my keys again');        // [joy, anger, sadness, surprise, neutral]
 *   await m.generate('Dear diary,', { maxNewTokens: 20 }, (e) => process.stdout.write(e.text));
 */
import * as tf from '@tensorflow/tfjs-core';
import { initEngine, type EngineInfo } from './backend.js';
import { countParams, EMOTIONS, validateConfig, type ModelConfig } from './config.js';
import { cacheSpec, Decoder, tfjsEngine } from './decode.js';
import { readoutProbs } from './readout.js';
import { generate, scratchTokens, type GenerateOptions, type Generation, type TokenEvent } from './generate.js';
import { BYTES_PER_ELEMENT, kvByteCounts, type KVCache, type KvBytes, type KvDtype } from './kv-cache.js';
import { UserError } from '../errors.js';
import { Tokenizer } from './tokenizer.js';
import { forward, padBatch } from './transformer.js';
import { initWeights, loadWeights, mapWeights, saveWeights, weightShapes, type Weights } from './weights.js';

export interface ScratchOptions {
  /** KV cache element type. Default fp32. */
  kv?: KvDtype;
  /** Emotion attention bias. Default true; false gives a plain transformer's attention. */
  bias?: boolean;
  /** Sliding-window attention over the last `window` positions (decode and full forward alike). */
  window?: number;
}

export interface ScratchInfo {
  config: ModelConfig;
  params: number;
  engine: EngineInfo;
  options: { kv: KvDtype; bias: boolean; window: number | null };
  emotions: readonly string[];
}

export interface AttentionMaps {
  /** The tokens as text (BOS included), one per row/column of each map; a character whose bytes span tokens shows on the token that completes it. */
  tokens: string[];
  ids: number[];
  /** attention[layer][head]: T×T row-major; row i is query i's distribution over keys j ≤ i. */
  attention: Float32Array[][];
  /** Emotion vector at each position: how the context's emotion evolves token by token. */
  emotions: number[][];
  bias: boolean;
}

export class ScratchModel {
  private lastCache: KVCache | undefined;
  private readonly options: Required<Omit<ScratchOptions, 'window'>> & { window?: number };

  private constructor(
    readonly config: ModelConfig,
    readonly tokenizer: Tokenizer,
    /** Trainable parameters, exposed for the training loop (tf.variableGrads). */
    readonly weights: Weights<tf.Variable>,
    private readonly engine: EngineInfo,
    opts: ScratchOptions,
    private readonly ownsWeights: boolean,
  ) {
    if (opts.window !== undefined && !(Number.isInteger(opts.window) && opts.window > 0)) {
      throw new UserError(`scratch model: window must be a positive integer, got ${opts.window}`);
    }
    if (opts.kv !== undefined && !(opts.kv in BYTES_PER_ELEMENT)) {
      throw new UserError(`scratch model: kv must be one of ${Object.keys(BYTES_PER_ELEMENT).join(', ')}, got ${String(opts.kv)}`);
    }
    if (tokenizer.vocabSize > config.vocabSize) {
      throw new UserError(`scratch model: tokenizer has ${tokenizer.vocabSize} tokens but the model only ${config.vocabSize}`);
    }
    this.options = { kv: opts.kv ?? 'fp32', bias: opts.bias ?? true, window: opts.window };
  }

  /** Seeded random weights; without a tokenizer, a byte-level one (259 tokens, no merges). */
  static async random(cfg: ModelConfig, seed: number, tokenizer?: Tokenizer, opts: ScratchOptions = {}): Promise<ScratchModel> {
    const engine = await initEngine();
    validateConfig(cfg);
    return new ScratchModel(cfg, tokenizer ?? new Tokenizer([]), toVariables(cfg, initWeights(cfg, seed)), engine, opts, true);
  }

  /** A directory written by save(): config.json, tokenizer.json, model.safetensors. */
  static async load(dir: string, opts: ScratchOptions = {}): Promise<ScratchModel> {
    const engine = await initEngine();
    const { config, weights } = await loadWeights(dir);
    const tokenizer = await Tokenizer.load(`${dir}/tokenizer.json`);
    return new ScratchModel(config, tokenizer, toVariables(config, weights), engine, opts, true);
  }

  async save(dir: string, opts: { dtype?: 'F32' | 'F16' } = {}): Promise<void> {
    await saveWeights(dir, this.config, mapWeights(this.weights, (_n, v) => v.dataSync() as Float32Array), opts.dtype ?? 'F32');
    await this.tokenizer.save(`${dir}/tokenizer.json`);
  }

  /** The same weights under other inference options (no copy; dispose the original only). */
  withOptions(opts: ScratchOptions): ScratchModel {
    return new ScratchModel(this.config, this.tokenizer, this.weights, this.engine, { ...this.options, ...opts }, false);
  }

  /** Emotion probabilities (joy, anger, sadness, surprise, neutral) of the whole text (see readout.ts). */
  async classify(text: string): Promise<number[]> {
    return (await this.classifyBatch([text]))[0]!;
  }

  /** Texts are sorted by length and run in padded batches; only blocks up to the emotion head run. */
  async classifyBatch(texts: readonly string[], opts: { batchSize?: number } = {}): Promise<number[][]> {
    const batchSize = opts.batchSize ?? 16;
    const E = this.config.nEmotions;
    const ids = texts.map((t) => this.encode(t));
    const order = [...ids.keys()].sort((a, b) => ids[a]!.length - ids[b]!.length);
    const out: number[][] = new Array<number[]>(texts.length);
    for (let s = 0; s < order.length; s += batchSize) {
      const chunk = order.slice(s, s + batchSize);
      const input = padBatch(chunk.map((i) => ids[i]!), this.tokenizer.pad);
      const T = input.seqLen;
      const emotions = tf.tidy(() => forward(this.weights, this.config, input, { bias: this.options.bias, window: this.options.window, untilEmotion: true }).emotions);
      const probs = emotions.dataSync() as Float32Array;
      emotions.dispose();
      readoutProbs(probs, chunk.length, T, E, input.pad, this.config.emotionReadout ?? 'last').forEach((p, b) => (out[chunk[b]!] = p));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return out;
  }

  async generate(prompt: string, opts: GenerateOptions = {}, onToken?: (e: TokenEvent) => void): Promise<Generation> {
    return (await this.generateBatch([prompt], opts, onToken))[0]!;
  }

  /** Prompts of different lengths decode together (left-padded); greedy results equal one-by-one runs. */
  async generateBatch(prompts: readonly string[], opts: GenerateOptions = {}, onToken?: (e: TokenEvent) => void): Promise<Generation[]> {
    const { kv, bias, window } = this.options;
    const engine = tfjsEngine(new Decoder(this.weights, this.config, { bias, window }), kv, (cache) => (this.lastCache = cache));
    return generate(engine, scratchTokens(this.tokenizer), prompts, opts, onToken);
  }

  /** Attention weights of every layer and head over the text, with the emotion bias on or off. */
  attentionMaps(text: string, opts: { bias?: boolean } = {}): AttentionMaps {
    const bias = opts.bias ?? this.options.bias;
    const ids = this.encode(text);
    const T = ids.length;
    const r = tf.tidy(() => {
      const { attention, emotions } = forward(this.weights, this.config, padBatch([ids], this.tokenizer.pad), { bias, window: this.options.window, logits: 'none', captureAttention: true });
      return { attention, emotions };
    });
    const H = this.config.nHeads;
    const E = this.config.nEmotions;
    const attention = r.attention.map((probs) => {
      const data = probs.dataSync() as Float32Array; // [1, H, T, T]
      return Array.from({ length: H }, (_, h) => data.slice(h * T * T, (h + 1) * T * T));
    });
    const e = r.emotions.dataSync();
    tf.dispose([...r.attention, r.emotions]);
    return {
      tokens: this.tokenizer.pieces(ids),
      ids,
      attention,
      emotions: Array.from({ length: T }, (_, t) => Array.from(e.subarray(t * E, (t + 1) * E))),
      bias,
    };
  }

  /**
   * KV cache bytes: of the last generation's cache (undefined before any), or — given a shape —
   * of a cache holding `tokens` positions for `batch` sequences under this model's options.
   */
  kvBytes(shape?: { tokens: number; batch: number }): KvBytes | undefined {
    if (shape === undefined) return this.lastCache?.bytes();
    const capacity = Math.min(shape.tokens, this.options.window ?? shape.tokens);
    const bytes = kvByteCounts(cacheSpec(this.config, this.options.bias, shape.batch, capacity, this.options.kv), capacity);
    return { dtype: this.options.kv, batch: shape.batch, capacity, tokens: capacity, allocated: bytes, used: bytes };
  }

  info(): ScratchInfo {
    return {
      config: this.config,
      params: countParams(this.config),
      engine: this.engine,
      options: { kv: this.options.kv, bias: this.options.bias, window: this.options.window ?? null },
      emotions: EMOTIONS,
    };
  }

  dispose(): void {
    if (this.ownsWeights) mapWeights(this.weights, (_n, v) => v.dispose());
  }

  private encode(text: string): number[] {
    return this.tokenizer.encode(text, { bos: true }).slice(-this.config.maxSeq);
  }
}

function toVariables(cfg: ModelConfig, w: Weights<Float32Array>): Weights<tf.Variable> {
  const shapes = weightShapes(cfg);
  return mapWeights(w, (name, data) => {
    const t = tf.tensor(data, shapes.get(name));
    const v = tf.variable(t, true);
    t.dispose();
    return v;
  });
}
