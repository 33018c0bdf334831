/**
 * Running ONNX graphs with onnxruntime-node: session creation (execution provider, threads),
 * incremental decoding with the cache as past_* → present_* tensors, and the scratch model's
 * `engine=ort` (its graphs exported on first use to a cache keyed by the weights' hash).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { countParams, EMOTIONS, type ModelConfig } from '../scratch/config.js';
import { cacheSpec } from '../scratch/decode.js';
import type { GenerateOptions, Generation, FinishReason, TokenEvent } from '../scratch/generate.js';
import { kvByteCounts, type KvBytes, type KvDtype } from '../scratch/kv-cache.js';
import { readoutProbs } from '../scratch/readout.js';
import { sampleToken } from '../scratch/sampling.js';
import type { Tokenizer } from '../scratch/tokenizer.js';
import type { Weights } from '../scratch/weights.js';
import { RuntimeFailure, UserError } from '../errors.js';
import { sha256 } from '../util/hash.js';
import { mulberry32 } from '../util/rng.js';
import { firstLine } from '../util/text.js';
import { EXPORT_FORMAT, exportScratchOnnx, weightsDigest, type AttentionOps, type ExportOptions, type WeightFormat } from './export.js';

export interface OrtInfo {
  engine: 'ort';
  /** The execution provider that runs the graph: 'cuda' or 'cpu'. */
  backend: string;
  device: string;
  ortVersion: string;
  threads: number;
  /** Why a preferred provider was skipped, for the run metadata. */
  notes: string[];
}

/**
 * A session on the best provider here: CUDA when its provider library is installed (the npm
 * package ships only the CPU one; `.npmrc` skips the CUDA download), else CPU.
 * EMOBENCH_ORT_EP=cpu|cuda forces one; EMOBENCH_ORT_THREADS sets intra-op threads (default: all cores).
 */
export async function openSession(source: string | Uint8Array): Promise<{ session: ort.InferenceSession; info: OrtInfo }> {
  const threads = Number(process.env.EMOBENCH_ORT_THREADS ?? availableParallelism());
  if (!Number.isInteger(threads) || threads < 1) throw new UserError(`EMOBENCH_ORT_THREADS must be a positive integer, got "${process.env.EMOBENCH_ORT_THREADS}"`);
  const forced = process.env.EMOBENCH_ORT_EP;
  if (forced !== undefined && forced !== 'cpu' && forced !== 'cuda') throw new UserError(`EMOBENCH_ORT_EP must be cpu or cuda, got "${forced}"`);
  const notes: string[] = [];
  const base: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: threads,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    // Spinning workers hold a core between ops and between decode steps: with another process on
    // the cores, spinning halved decode speed at 2 threads (measured).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  const create = (ep: 'cuda' | 'cpu') => {
    const options = { ...base, executionProviders: [ep] };
    return typeof source === 'string' ? ort.InferenceSession.create(source, options) : ort.InferenceSession.create(source, options);
  };
  const info = (backend: string, device: string): OrtInfo => ({ engine: 'ort', backend, device, ortVersion: ort.env.versions.common, threads, notes });

  if (forced === 'cuda' || (forced === undefined && cudaProviderInstalled())) {
    try {
      return { session: await create('cuda'), info: info('cuda', 'gpu (CUDA)') };
    } catch (e) {
      if (forced === 'cuda') throw new RuntimeFailure(`onnxruntime: the CUDA execution provider failed: ${firstLine(e)}`);
      notes.push(`cuda provider failed: ${firstLine(e)}`);
    }
  } else if (forced === undefined) {
    notes.push('cuda provider not installed (onnxruntime-node ships the CPU provider only)');
  }
  return { session: await create('cpu'), info: info('cpu', `cpu (${threads} intra-op thread${threads === 1 ? '' : 's'})`) };
}

function cudaProviderInstalled(): boolean {
  const root = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  const bin = join(root, 'bin');
  if (!existsSync(bin)) return false;
  return readdirSync(bin).some((napi) => existsSync(join(bin, napi, process.platform, process.arch, 'libonnxruntime_providers_cuda.so')));
}


// ─── incremental decoding over any causal-LM graph ──────────────────────────────────────────────

/** The tokenizer as the decode loop needs it. */
export interface LmTokens {
  /** Prompt → ids; `special` adds what the model expects around a text (BOS). */
  encode(text: string, special: boolean): number[];
  decode(ids: readonly number[]): string;
  pad: number;
  eos?: number;
  /** Ids never sampled (BOS, padding); so are ids ≥ vocabSize, which the tokenizer cannot decode. */
  banned: readonly number[];
  vocabSize: number;
}

const int64 = (values: ArrayLike<number>, dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(Array.from(values), BigInt), dims);

/**
 * Decoding with onnxruntime. The graph takes input_ids and attention_mask (and position_ids if it
 * asks), and — when it has them — past_* inputs that its present_* outputs feed on the next call
 * (`present_x` → `past_x`, or Hugging Face's `present.N.key` → `past_key_values.N.key`); a graph
 * without a cache is run on the whole sequence at every step. Reads `logits` ([B, S, V] or
 * [B, V]; the last position) and, when present, `emotions` [B, S, E].
 */
export class OrtCausalLM {
  /** present output → the past input it feeds. */
  private readonly pastOf = new Map<string, string>();

  constructor(
    readonly session: ort.InferenceSession,
    private readonly tokens: LmTokens,
    private readonly maxSeq: number,
  ) {
    const inputs = new Set(session.inputNames);
    for (const out of session.outputNames) {
      if (!out.startsWith('present')) continue;
      const rest = out.slice('present'.length);
      const past = [`past${rest}`, `past_key_values${rest}`].find((n) => inputs.has(n));
      if (past !== undefined) this.pastOf.set(out, past);
    }
  }

  get hasCache(): boolean {
    return this.pastOf.size > 0;
  }

  /** past_* inputs that no present_* output feeds: such a graph cannot decode step by step. */
  unfedPast(): string[] {
    const fed = new Set(this.pastOf.values());
    return this.session.inputNames.filter((n) => n.startsWith('past') && !fed.has(n));
  }

  /** Prompts of different lengths decode together, left-padded; greedy rows equal one-by-one runs. */
  async generateBatch(prompts: readonly string[], opts: GenerateOptions = {}, onToken?: (e: TokenEvent) => void): Promise<Generation[]> {
    const { tokens } = this;
    const maxNew = opts.maxNewTokens ?? 32;
    const stops = (opts.stop ?? []).filter((s) => s !== '');
    const B = prompts.length;
    const promptIds = prompts.map((p, i) => {
      const ids = tokens.encode(p, opts.bos ?? true);
      if (ids.length === 0) throw new Error(`generate: prompt ${i} is empty`);
      return ids.slice(-(this.maxSeq - 1));
    });
    const T = Math.max(...promptIds.map((p) => p.length));
    const capacity = Math.min(T + maxNew, this.maxSeq);
    const rngs = prompts.map((_, r) => mulberry32((opts.seed ?? 0) + r));

    // Left padding: every row's next token lands in the same column.
    const seqs = promptIds.map((p) => [...Array<number>(T - p.length).fill(tokens.pad), ...p]);
    const mask = promptIds.map((p) => [...Array<number>(T - p.length).fill(0), ...Array<number>(p.length).fill(1)]);
    const state = new DecodeState(this, B);

    const started = performance.now();
    let out = await state.run(seqs, mask, T);
    const prefillMs = performance.now() - started;

    const rows = promptIds.map((p) => ({ promptIds: p, ids: [] as number[], text: '', emitted: 0, finish: undefined as FinishReason | undefined, emotion: [] as number[] }));
    let length = T;
    let steps = 0;
    const decodeStart = performance.now();
    for (;;) {
      const next = new Array<number>(B).fill(tokens.pad);
      rows.forEach((row, r) => {
        if (row.finish !== undefined) return;
        row.emotion = out.emotions[r] ?? [];
        if (maxNew <= 0) {
          row.finish = 'length';
          return;
        }
        const logits = out.logits[r]!;
        for (let id = tokens.vocabSize; id < logits.length; id++) logits[id] = -Infinity;
        for (const id of tokens.banned) logits[id] = -Infinity;
        if (opts.ignoreEos && tokens.eos !== undefined) logits[tokens.eos] = -Infinity;
        const id = sampleToken(logits, opts, rngs[r]!);
        next[r] = id;
        if (id === tokens.eos) {
          row.finish = 'eos';
        } else {
          row.ids.push(id);
          row.text = tokens.decode(row.ids);
          const hit = firstStop(row.text, stops);
          if (hit !== undefined) {
            row.text = row.text.slice(0, hit);
            row.finish = 'stop';
          } else if (row.ids.length >= maxNew) {
            row.finish = 'length';
          }
        }
        const safe = row.finish !== undefined ? row.text.length : row.text.length - unsettledTail(row.text, stops);
        if (onToken !== undefined && safe > row.emitted) {
          onToken({ row: r, id, text: row.text.slice(row.emitted, safe) });
          row.emitted = safe;
        }
      });
      if (rows.every((row) => row.finish !== undefined)) break;
      if (length >= capacity) {
        rows.forEach((row, r) => {
          if (row.finish !== undefined) return;
          row.finish = 'length';
          if (onToken !== undefined && row.text.length > row.emitted) onToken({ row: r, id: row.ids.at(-1)!, text: row.text.slice(row.emitted) });
        });
        break;
      }
      seqs.forEach((s, r) => s.push(next[r]!));
      mask.forEach((m) => m.push(1));
      length++;
      out = await state.run(seqs, mask, this.hasCache ? 1 : length);
      steps++;
    }
    const timing = { prefillMs, decodeMs: performance.now() - decodeStart, decodeSteps: steps };
    return rows.map((row) => ({ text: row.text, ids: row.ids, promptIds: row.promptIds, finishReason: row.finish!, emotion: row.emotion, timing }));
  }

  /** Name of the past input fed by a present output, if any. */
  pastFor(present: string): string | undefined {
    return this.pastOf.get(present);
  }
}

/** The cache between calls: the last present_* tensors, renamed to the past_* inputs they feed. */
class DecodeState {
  private past: Record<string, ort.Tensor>;

  constructor(
    private readonly lm: OrtCausalLM,
    private readonly batch: number,
  ) {
    this.past = emptyPast(lm.session, batch);
  }

  /** Feeds the last `fresh` columns of the sequences; returns each row's last-position logits and emotions. */
  async run(seqs: number[][], mask: number[][], fresh: number): Promise<{ logits: Float32Array[]; emotions: number[][] }> {
    const B = this.batch;
    const total = mask[0]!.length;
    const feeds: Record<string, ort.Tensor> = {
      ...this.past,
      input_ids: int64(seqs.flatMap((s) => s.slice(total - fresh)), [B, fresh]),
    };
    const inputs = this.lm.session.inputNames;
    if (inputs.includes('attention_mask')) feeds['attention_mask'] = int64(mask.flat(), [B, total]);
    if (inputs.includes('position_ids')) feeds['position_ids'] = int64(mask.flatMap((m) => positionsOf(m).slice(total - fresh)), [B, fresh]);
    const out = await this.lm.session.run(feeds);
    this.past = {};
    for (const [name, t] of Object.entries(out)) {
      const past = this.lm.pastFor(name);
      if (past !== undefined) this.past[past] = t;
    }
    return { logits: lastPosition(out['logits']!, B), emotions: lastPosition(out['emotions'], B).map((e) => Array.from(e)) };
  }
}

/** Position of each column: real tokens counted from 0, padding at 0 (as padBatch). */
function positionsOf(mask: readonly number[]): number[] {
  let n = 0;
  return mask.map((m) => Math.max(0, (n += m) - 1));
}

/** Row b's values at the last position of a [B, S, X] (or [B, X]) output. */
function lastPosition(t: ort.Tensor | undefined, B: number): Float32Array[] {
  if (t === undefined) return [];
  const data = t.data as Float32Array;
  const width = Number(t.dims.at(-1));
  const rowSize = data.length / B;
  return Array.from({ length: B }, (_, b) => data.slice((b + 1) * rowSize - width, (b + 1) * rowSize));
}

/**
 * Zero-length past tensors for a first call: the batch dimension is the batch, other symbolic
 * dimensions (the past length) are 0, fixed ones (heads, head size) as declared.
 */
export function emptyPast(session: ort.InferenceSession, batch: number): Record<string, ort.Tensor> {
  const past: Record<string, ort.Tensor> = {};
  for (const m of session.inputMetadata) {
    if (!m.name.startsWith('past') || !m.isTensor) continue;
    const dims = m.shape.map((d, i) => (i === 0 ? batch : typeof d === 'number' ? d : 0));
    past[m.name] = new ort.Tensor(m.type as 'float32', emptyData(m.type), dims);
  }
  return past;
}

function emptyData(type: ort.Tensor.Type): ort.Tensor.DataType {
  switch (type) {
    case 'float16':
      return new Uint16Array(0);
    case 'int8':
      return new Int8Array(0);
    default:
      return new Float32Array(0);
  }
}

function firstStop(text: string, stops: readonly string[]): number | undefined {
  let first: number | undefined;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i !== -1 && (first === undefined || i < first)) first = i;
  }
  return first;
}

/** Trailing characters not to stream yet: a partial UTF-8 character or the start of a stop sequence. */
function unsettledTail(text: string, stops: readonly string[]): number {
  let n = 0;
  while (n < text.length && text[text.length - 1 - n] === '\uFFFD') n++;
  for (const s of stops) {
    for (let k = Math.min(s.length - 1, text.length); k > n; k--) {
      if (text.endsWith(s.slice(0, k))) {
        n = k;
        break;
      }
    }
  }
  return n;
}

// ─── the scratch model on onnxruntime ──────────────────────────────────────────────────────────

export interface OrtScratchOptions {
  bias: boolean;
  kv: KvDtype;
  weights: WeightFormat;
  /** Default 'ort' (fused attention kernels). */
  ops?: AttentionOps;
}

/** Where exported graphs are kept between runs (EMOBENCH_ONNX_CACHE overrides). */
export function onnxCacheDir(): string {
  return process.env.EMOBENCH_ONNX_CACHE ?? join(tmpdir(), 'emobench-onnx');
}

/**
 * `scratch…?engine=ort`: the model's two graphs — generation (every block, the cache, the LM head)
 * and classification (blocks up to the emotion head) — exported once per weights and options into
 * the cache directory, then run by onnxruntime. Same interface as ScratchModel for the harness.
 */
export class OrtScratchEngine {
  private generation: OrtCausalLM | undefined;

  private constructor(
    readonly config: ModelConfig,
    readonly tokenizer: Tokenizer,
    private readonly options: OrtScratchOptions,
    private readonly files: { generation: string; classification: string },
    /** Opened at once (it is small), which also settles the provider that meta() records. */
    private readonly classification: ort.InferenceSession,
    private readonly sessionInfo: OrtInfo,
  ) {}

  static async create(config: ModelConfig, weights: Weights<Float32Array>, tokenizer: Tokenizer, options: OrtScratchOptions): Promise<OrtScratchEngine> {
    const dir = onnxCacheDir();
    await mkdir(dir, { recursive: true });
    const digest = weightsDigest(config, weights);
    const file = async (until: 'logits' | 'emotion'): Promise<string> => {
      // The KV type does not enter the classification graph (it has no cache).
      const opts: ExportOptions = { bias: options.bias, weights: options.weights, ops: options.ops ?? 'ort', until, ...(until === 'logits' ? { kv: options.kv } : {}) };
      const path = join(dir, `${sha256(`${EXPORT_FORMAT}\n${digest}\n${JSON.stringify(opts)}`).slice(0, 32)}.onnx`);
      if (!existsSync(path)) await exportScratchOnnx(path, config, weights, opts);
      return path;
    };
    const files = { generation: await file('logits'), classification: await file('emotion') };
    const { session, info } = await openSession(files.classification);
    return new OrtScratchEngine(config, tokenizer, options, files, session, info);
  }

  /** Emotion probabilities (joy, anger, sadness, surprise, neutral) of each text (see readout.ts). */
  async classifyBatch(texts: readonly string[], opts: { batchSize?: number } = {}): Promise<number[][]> {
    const session = this.classification;
    const batchSize = opts.batchSize ?? 16;
    const ids = texts.map((t) => this.tokenizer.encode(t, { bos: true }).slice(-this.config.maxSeq));
    // Sorted by length so each padded batch wastes little.
    const order = [...ids.keys()].sort((a, b) => ids[a]!.length - ids[b]!.length);
    const out: number[][] = new Array<number[]>(texts.length);
    for (let s = 0; s < order.length; s += batchSize) {
      const chunk = order.slice(s, s + batchSize);
      const T = Math.max(...chunk.map((i) => ids[i]!.length));
      const rows = chunk.map((i) => ids[i]!);
      const r = await session.run({
        input_ids: int64(rows.flatMap((row) => [...Array<number>(T - row.length).fill(this.tokenizer.pad), ...row]), [chunk.length, T]),
        attention_mask: int64(rows.flatMap((row) => [...Array<number>(T - row.length).fill(0), ...Array<number>(row.length).fill(1)]), [chunk.length, T]),
      });
      const pad = rows.map((row) => T - row.length);
      readoutProbs(r['emotions']!.data as Float32Array, chunk.length, T, this.config.nEmotions, pad, this.config.emotionReadout ?? 'last').forEach((p, b) => (out[chunk[b]!] = p));
    }
    return out;
  }

  async generate(prompt: string, opts: GenerateOptions = {}, onToken?: (e: TokenEvent) => void): Promise<Generation> {
    return (await this.generateBatch([prompt], opts, onToken))[0]!;
  }

  async generateBatch(prompts: readonly string[], opts: GenerateOptions = {}, onToken?: (e: TokenEvent) => void): Promise<Generation[]> {
    if (this.generation === undefined) {
      const tok = this.tokenizer;
      const tokens: LmTokens = {
        encode: (text, bos) => tok.encode(text, { bos }),
        decode: (ids) => tok.decode(ids),
        pad: tok.pad,
        eos: tok.eos,
        banned: [tok.bos, tok.pad],
        vocabSize: tok.vocabSize,
      };
      this.generation = new OrtCausalLM((await openSession(this.files.generation)).session, tokens, this.config.maxSeq);
    }
    return this.generation.generateBatch(prompts, opts, onToken);
  }

  /** Bytes of a cache holding `tokens` positions for `batch` rows: the same elements as the tfjs cache. */
  kvBytes(shape: { tokens: number; batch: number }): KvBytes {
    const bytes = kvByteCounts(cacheSpec(this.config, this.options.bias, shape.batch, shape.tokens, this.options.kv), shape.tokens);
    return { dtype: this.options.kv, batch: shape.batch, capacity: shape.tokens, tokens: shape.tokens, allocated: bytes, used: bytes };
  }

  /** Bytes of the generation graph's file: its weights, as stored (int8 or fp32). */
  weightBytes(): number {
    return statSync(this.files.generation).size;
  }

  info(): { config: ModelConfig; params: number; engine: OrtInfo; options: { kv: KvDtype; bias: boolean; window: null; weights: WeightFormat }; emotions: readonly string[] } {
    return { config: this.config, params: countParams(this.config), engine: this.sessionInfo, options: { ...this.options, window: null }, emotions: EMOTIONS };
  }

  /** The exported files (generation and classification graphs). */
  paths(): { generation: string; classification: string } {
    return { ...this.files };
  }

  async dispose(): Promise<void> {
    await this.generation?.session.release();
    await this.classification.release();
  }
}
