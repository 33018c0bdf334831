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
import { generate, scratchTokens, type DecodeEngine, type DecodeSession, type GenerateOptions, type Generation, type StepOutput, type TokenEvent } from '../scratch/generate.js';
import { kvByteCounts, type KvBytes, type KvDtype } from '../scratch/kv-cache.js';
import { readoutProbs } from '../scratch/readout.js';
import type { Tokenizer } from '../scratch/tokenizer.js';
import type { Weights } from '../scratch/weights.js';
import { RuntimeFailure, UserError } from '../errors.js';
import { sha256 } from '../util/hash.js';
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

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0] ?? '';
}

// ─── incremental decoding over any causal-LM graph ──────────────────────────────────────────────

const int64 = (values: ArrayLike<number>, dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(Array.from(values), BigInt), dims);

/**
 * A causal-LM graph as a decode engine for the driver (src/scratch/generate.ts). The graph takes
 * input_ids and attention_mask (and position_ids if it asks), and — when it has them — past_*
 * inputs that its present_* outputs feed on the next call (`present_x` → `past_x`, or Hugging
 * Face's `present.N.key` → `past_key_values.N.key`); a graph without a cache is run on the whole
 * sequence at every step. Reads `logits` ([B, S, V] or [B, V]; the last position) and, when
 * present, `emotions` [B, S, E].
 */
export class OrtCausalLM implements DecodeEngine {
  /** present output → the past input it feeds. */
  private readonly pastOf = new Map<string, string>();

  constructor(
    readonly session: ort.InferenceSession,
    readonly maxSeq: number,
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

  /** The cache lives in the graph's present_* tensors, so capacity needs no allocation here. */
  open(batch: number): DecodeSession {
    return new OrtDecodeSession(this, batch);
  }

  /** Name of the past input fed by a present output, if any. */
  pastFor(present: string): string | undefined {
    return this.pastOf.get(present);
  }
}

/** One generation: the sequences so far (left-padded) and the last present_* tensors, renamed to the past_* inputs they feed. */
class OrtDecodeSession implements DecodeSession {
  private past: Record<string, ort.Tensor>;
  private seqs: number[][] = [];
  private mask: number[][] = [];

  constructor(
    private readonly lm: OrtCausalLM,
    private readonly batch: number,
  ) {
    this.past = emptyPast(lm.session, batch);
  }

  prefill(rows: readonly (readonly number[])[], pad: number): Promise<StepOutput> {
    const T = Math.max(...rows.map((p) => p.length));
    this.seqs = rows.map((p) => [...Array<number>(T - p.length).fill(pad), ...p]);
    this.mask = rows.map((p) => [...Array<number>(T - p.length).fill(0), ...Array<number>(p.length).fill(1)]);
    return this.run(T);
  }

  step(tokens: Int32Array): Promise<StepOutput> {
    this.seqs.forEach((s, r) => s.push(tokens[r]!));
    this.mask.forEach((m) => m.push(1));
    return this.run(this.lm.hasCache ? 1 : this.mask[0]!.length);
  }

  /** Feeds the last `fresh` columns of the sequences; returns each row's last-position logits and emotions. */
  private async run(fresh: number): Promise<StepOutput> {
    const { seqs, mask } = this;
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
    const emotions = out['emotions'];
    return { logits: lastPosition(out['logits']!, B), ...(emotions !== undefined ? { emotions: lastPosition(emotions, B) } : {}) };
  }
}

/** Position of each column: real tokens counted from 0, padding at 0 (as padBatch). */
function positionsOf(mask: readonly number[]): number[] {
  let n = 0;
  return mask.map((m) => Math.max(0, (n += m) - 1));
}

/** Each row's values at the last position of a [B, S, X] (or [B, X]) output, as [B × X]. */
function lastPosition(t: ort.Tensor, B: number): Float32Array {
  const data = t.data as Float32Array;
  const width = Number(t.dims.at(-1));
  const rowSize = data.length / B;
  const out = new Float32Array(B * width);
  for (let b = 0; b < B; b++) out.set(data.subarray((b + 1) * rowSize - width, (b + 1) * rowSize), b * width);
  return out;
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
  /** Opened on first use; a promise, so concurrent first calls share one session. */
  private generation: Promise<OrtCausalLM> | undefined;

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
    this.generation ??= openSession(this.files.generation).then(({ session }) => new OrtCausalLM(session, this.config.maxSeq));
    return generate(await this.generation, scratchTokens(this.tokenizer), prompts, opts, onToken);
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
    await (await this.generation)?.session.release();
    await this.classification.release();
  }
}
