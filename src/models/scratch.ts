import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { EngineInfo } from '../scratch/backend.js';
import { CONFIGS, countParams, EMOTIONS, type ConfigName, type ModelConfig } from '../scratch/config.js';
import type { KvBytes, KvDtype } from '../scratch/kv-cache.js';
import { ScratchModel, type ScratchOptions } from '../scratch/scratch-model.js';
import { Tokenizer } from '../scratch/tokenizer.js';
import { initWeights, loadWeights, readModelConfig, type Weights } from '../scratch/weights.js';
import type { AttentionOps, WeightFormat } from '../onnx/export.js';
import type { OrtInfo } from '../onnx/ort-engine.js';
import { chatPrompt, completeLocally } from './local-chat.js';
import { configHash, sha256File } from '../util/hash.js';
import { pkgPath } from '../util/paths.js';
import { checkOptions, type ModelSpec } from './spec.js';
import type { ChatRequest, ChatResult, ClassifyOutput, Footprint, Model, ModelDescription, ModelMeta, Sampling, TimedGeneration } from './types.js';
import { mulberry32 } from '../util/rng.js';

/** Where the trained default `scratch` model ships. */
export const SHIPPED_SCRATCH = pkgPath('models', 'scratch');

const OPTIONS = ['kv', 'bias', 'window', 'head', 'seed', 'engine', 'weights', 'ops'] as const;

/**
 * What the harness calls on an engine: ScratchModel (tfjs), OrtScratchEngine (onnxruntime), or any
 * other engine of the scratch transformer. Generation goes through the one decode driver
 * (src/scratch/generate.ts) inside generateBatch; the chat adapter (local-chat.ts) sits above it.
 */
export type ScratchRunner = Pick<ScratchModel, 'tokenizer' | 'classifyBatch' | 'generate' | 'generateBatch'> & {
  info(): { params: number; engine: EngineInfo | OrtInfo };
  kvBytes(shape: { tokens: number; batch: number }): KvBytes | undefined;
  /** Bytes of the weights as the engine holds them, when not 4 per parameter. */
  weightBytes?(): number;
  dispose(): void | Promise<void>;
};

/** A scratch spec's options, checked. */
interface ScratchSpec {
  kv: KvDtype;
  bias: boolean;
  window: number | undefined;
  head: 'emotion' | 'lm';
  engine: 'tfjs' | 'ort';
  weights: WeightFormat;
  ops: AttentionOps;
}

function parseScratchSpec(spec: ModelSpec): ScratchSpec {
  checkOptions(spec, OPTIONS);
  const o = spec.options;
  const kv = parseKv(spec);
  const bias = parseOnOff(spec, 'bias', true);
  const window = o['window'] === undefined ? undefined : positiveInt(spec, 'window');
  const head = o['head'] ?? 'emotion';
  if (head !== 'emotion' && head !== 'lm') throw new UserError(`model spec "${spec.raw}": head must be emotion or lm`);
  const engine = o['engine'] ?? 'tfjs';
  if (engine !== 'tfjs' && engine !== 'ort') throw new UserError(`model spec "${spec.raw}": engine must be tfjs or ort`);
  const weights = parseWeightFormat(spec);
  if (engine === 'tfjs' && weights !== 'fp32') throw new UserError(`model spec "${spec.raw}": weights=${weights} needs engine=ort (tfjs keeps fp32 weights)`);
  const ops = parseOps(spec);
  if (engine === 'tfjs' && o['ops'] !== undefined) throw new UserError(`model spec "${spec.raw}": ops= chooses the ONNX graph's operators and needs engine=ort`);
  if (engine === 'ort' && window !== undefined) throw new UserError(`model spec "${spec.raw}": window is not supported with engine=ort (the exported graph attends over its whole cache)`);
  return { kv, bias, window, head, engine, weights, ops };
}

/** What a run records about the model: the config that determines its predictions. */
function recordedConfig(source: ScratchSource, o: ScratchSpec): Record<string, unknown> {
  // The engine joins the hashed config only when not the default, so tfjs runs keep their hashes.
  const engineConfig = o.engine === 'ort' ? { engine: o.engine, weights: o.weights, ...(o.ops !== 'ort' ? { ops: o.ops } : {}) } : {};
  return { ...source.describe, kv: o.kv, bias: o.bias, window: o.window ?? null, head: o.head, ...engineConfig };
}

/** The one place a scratch model's meta is made: from a loaded model and from describeScratchModel alike. */
function scratchMeta(spec: string, recorded: Record<string, unknown>, params: number, engine?: EngineInfo | OrtInfo): ModelMeta {
  const config = { kind: 'scratch', ...recorded, params, ...(engine !== undefined ? { engine } : {}) };
  return { spec, kind: 'scratch', config, config_hash: configHash({ ...recorded, params }) };
}

/**
 * The scratch transformer as a harness model.
 *   scratch                 the shipped trained weights (models/scratch)
 *   scratch:<dir>           weights saved by `emobench train`
 *   scratch@paper|small|tiny  random weights from a fixed seed (speed and memory work)
 * Options: kv=fp32|fp16|int8, bias=on|off, window=N, head=emotion|lm, seed=N, engine=tfjs|ort,
 * weights=fp32|int8 and ops=ort|standard (engine=ort). head=emotion (default) classifies with the
 * emotion head; head=lm answers the suite's prompt by generating text, like any chat model.
 * engine=ort exports the model to ONNX (cached by weights hash) and runs it with onnxruntime.
 */
export async function createScratchModel(spec: ModelSpec): Promise<Model> {
  const o = parseScratchSpec(spec);
  const opts: ScratchOptions = { kv: o.kv, bias: o.bias, ...(o.window ? { window: o.window } : {}) };
  const source = await resolveScratchSource(spec);
  let model: ScratchRunner;
  if (o.engine === 'ort') {
    const { config, weights, tokenizer } = await loadScratchArrays(source);
    // Loaded on demand, like tfjs: onnxruntime's native library costs start-up time.
    const { OrtScratchEngine } = await import('../onnx/ort-engine.js');
    model = await OrtScratchEngine.create(config, weights, tokenizer, { bias: o.bias, kv: o.kv, weights: o.weights, ops: o.ops });
  } else {
    model = source.kind === 'random' ? await ScratchModel.random(source.config, source.seed, undefined, opts) : await ScratchModel.load(source.dir, opts);
  }
  return new ScratchHarnessModel(spec.raw, model, recordedConfig(source, o), o.head === 'emotion');
}

/**
 * A scratch spec's meta and answer paths without loading its weights or starting an engine: the
 * config comes from CONFIGS or the directory's config.json (the weights file is only hashed), so
 * `merge` and `eval --dry-run` need not hold 350 MB of scratch@paper to check a config hash.
 */
export async function describeScratchModel(spec: ModelSpec): Promise<ModelDescription> {
  const o = parseScratchSpec(spec);
  const source = await resolveScratchSource(spec);
  const config = source.kind === 'random' ? source.config : await readModelConfig(source.dir);
  return { spec: spec.raw, meta: scratchMeta(spec.raw, recordedConfig(source, o), countParams(config)), classifies: o.head === 'emotion', chats: true };
}

/** Where a scratch spec's weights come from, checked; `describe` is what the run metadata records. */
export type ScratchSource =
  | { kind: 'random'; config: ModelConfig; seed: number; describe: Record<string, unknown> }
  | { kind: 'dir'; dir: string; describe: Record<string, unknown> };

export async function resolveScratchSource(spec: ModelSpec): Promise<ScratchSource> {
  if (spec.config !== undefined) {
    if (spec.target !== undefined) throw new UserError(`model spec "${spec.raw}": give either @config (random weights) or :dir (trained weights), not both`);
    const config = CONFIGS[spec.config as ConfigName];
    if (!config) throw new UserError(`model spec "${spec.raw}": unknown config "${spec.config}" (known: ${Object.keys(CONFIGS).join(', ')})`);
    const seed = spec.options['seed'] === undefined ? 0 : positiveInt(spec, 'seed', true);
    return { kind: 'random', config, seed, describe: { config: spec.config, seed } };
  }
  const dir = spec.target === undefined ? SHIPPED_SCRATCH : resolve(spec.target);
  const weights = join(dir, 'model.safetensors');
  if (!existsSync(weights)) {
    throw new UserError(spec.target === undefined ? `the shipped scratch model is missing (${weights}); train one with \`emobench train\`` : `model spec "${spec.raw}": no model.safetensors in ${dir}`);
  }
  return { kind: 'dir', dir, describe: { dir, weights_sha256: await sha256File(weights) } };
}

/** The weights as plain arrays, without tfjs: for engine=ort and `emobench export-onnx`. */
export async function loadScratchArrays(source: ScratchSource): Promise<{ config: ModelConfig; weights: Weights<Float32Array>; tokenizer: Tokenizer }> {
  if (source.kind === 'random') return { config: source.config, weights: initWeights(source.config, source.seed), tokenizer: new Tokenizer([]) };
  const { config, weights } = await loadWeights(source.dir);
  const tokenizer = await Tokenizer.load(join(source.dir, 'tokenizer.json'));
  if (tokenizer.vocabSize > config.vocabSize) throw new UserError(`${source.dir}: tokenizer has ${tokenizer.vocabSize} tokens but the model only ${config.vocabSize}`);
  return { config, weights, tokenizer };
}

export function parseKv(spec: ModelSpec): KvDtype {
  const kv = spec.options['kv'] ?? 'fp32';
  if (kv !== 'fp32' && kv !== 'fp16' && kv !== 'int8') throw new UserError(`model spec "${spec.raw}": kv must be fp32, fp16 or int8`);
  return kv;
}

/** ort (default): onnxruntime's fused attention kernels; standard: ONNX operators only. */
export function parseOps(spec: ModelSpec): AttentionOps {
  const ops = spec.options['ops'] ?? 'ort';
  if (ops !== 'ort' && ops !== 'standard') throw new UserError(`model spec "${spec.raw}": ops must be ort or standard`);
  return ops;
}

export function parseWeightFormat(spec: ModelSpec): WeightFormat {
  const w = spec.options['weights'] ?? 'fp32';
  if (w !== 'fp32' && w !== 'int8') throw new UserError(`model spec "${spec.raw}": weights must be fp32 or int8`);
  return w;
}

class ScratchHarnessModel implements Model {
  readonly classify?: (texts: readonly string[], labels: readonly string[]) => Promise<ClassifyOutput[]>;

  constructor(
    readonly spec: string,
    private readonly model: ScratchRunner,
    private readonly config: Record<string, unknown>,
    emotionHead: boolean,
  ) {
    // With head=lm the model has no classify(), so the runner sends it the suite's prompt instead.
    if (emotionHead) this.classify = (texts, labels) => this.classifyWithHead(texts, labels);
  }

  meta(): ModelMeta {
    const info = this.model.info();
    return scratchMeta(this.spec, this.config, info.params, info.engine);
  }

  private async classifyWithHead(texts: readonly string[], labels: readonly string[]): Promise<ClassifyOutput[]> {
    const index = labels.map((l) => (EMOTIONS as readonly string[]).indexOf(l));
    if (index.some((i) => i === -1)) {
      throw new Error(`the emotion head knows ${EMOTIONS.join(', ')}; this suite's labels are ${labels.join(', ')} (use head=lm)`);
    }
    const all = await this.model.classifyBatch(texts);
    return all.map((p) => {
      const probs = index.map((i) => p[i]!);
      const z = probs.reduce((a, b) => a + b, 0);
      const norm = probs.map((x) => x / z);
      const label = labels[norm.indexOf(Math.max(...norm))]!;
      return { label, probs: norm, raw: label };
    });
  }

  async chat(req: ChatRequest, signal?: AbortSignal, onToken?: (text: string) => void): Promise<ChatResult> {
    return completeLocally(this.model, chatPrompt(req.messages), req.sampling, signal, onToken);
  }

  async complete(prompt: string, sampling: Sampling, signal?: AbortSignal, onToken?: (text: string) => void): Promise<ChatResult> {
    return completeLocally(this.model, prompt, sampling, signal, onToken);
  }

  async timedGenerate(o: { promptTokens: number; outputTokens: number; batch: number; seed: number }): Promise<TimedGeneration> {
    const prompts = Array.from({ length: o.batch }, (_, b) => textOfTokens(this.model.tokenizer, o.promptTokens, o.seed + b));
    // Stop sequences and EOS would end rows early; a throughput run wants exactly outputTokens steps.
    const gens = await this.model.generateBatch(prompts, { maxNewTokens: o.outputTokens, temperature: 0, ignoreEos: true });
    const g = gens[0]!;
    return { prefill_ms: g.timing.prefillMs, decode_ms: g.timing.decodeMs, decode_steps: g.timing.decodeSteps, batch: o.batch, prompt_tokens: g.promptIds.length };
  }

  userMessageOfTokens(tokens: number, seed: number): string {
    const template = this.model.tokenizer.encode(chatPrompt([{ role: 'user', content: '' }]), { bos: true }).length - 1;
    return textOfTokens(this.model.tokenizer, Math.max(1, tokens - template), seed);
  }

  footprint(): Footprint {
    const info = this.model.info();
    const perToken = this.model.kvBytes({ tokens: 1, batch: 1 })!.allocated;
    // tfjs keeps weights in float32 whatever the file stored; onnxruntime holds them as exported.
    return { weight_bytes: this.model.weightBytes?.() ?? info.params * 4, kv_bytes_per_context_token: perToken.k + perToken.v + perToken.scales };
  }

  async close(): Promise<void> {
    await this.model.dispose();
  }
}

/**
 * A text that the tokenizer turns into exactly `n` tokens (BOS included), for prompts of controlled
 * length: seeded random lowercase letters and spaces (few merges apply), trimmed by binary search.
 */
export function textOfTokens(tok: Tokenizer, n: number, seed: number): string {
  const rand = mulberry32(seed);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz      ';
  let text = '';
  while (tok.encode(text, { bos: true }).length < n) {
    for (let i = 0; i < n * 2; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
  }
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tok.encode(text.slice(0, mid), { bos: true }).length >= n) hi = mid;
    else lo = mid + 1;
  }
  let out = text.slice(0, lo);
  // A merge at the cut can leave one token short; extend a character at a time.
  while (tok.encode(out, { bos: true }).length < n) out = text.slice(0, out.length + 1);
  return out;
}

export function parseOnOff(spec: ModelSpec, key: string, dflt: boolean): boolean {
  const v = spec.options[key];
  if (v === undefined) return dflt;
  if (['on', 'true', '1'].includes(v)) return true;
  if (['off', 'false', '0'].includes(v)) return false;
  throw new UserError(`model spec "${spec.raw}": ${key} must be on or off`);
}

function positiveInt(spec: ModelSpec, key: string, allowZero = false): number {
  const n = Number(spec.options[key]);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new UserError(`model spec "${spec.raw}": ${key} must be a ${allowZero ? 'non-negative' : 'positive'} integer`);
  return n;
}
