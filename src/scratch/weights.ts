/**
 * Every parameter of the model in one table: name → shape and initialisation. The forward pass,
 * the decode path, random init, save and load all go through `weightTable` / `mapWeights`, so a
 * tensor cannot be added in one place and forgotten in another.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { countParams, headDim, isBiasLayer, validateConfig, type ModelConfig } from './config.js';
import { f16Encode, f32, readSafetensors, toFloat32, writeSafetensors, type TensorEntry } from './safetensors.js';
import { UserError } from '../errors.js';
import { mulberry32 } from '../util/rng.js';

export interface BlockWeights<T> {
  attnNorm: T; //  [d]
  wqkv: T; //      [d, (nHeads + 2·nKvHeads)·hd]   columns: q heads | k heads | v heads
  wo: T; //        [d, d]
  mlpNorm: T; //   [d]
  wGateUp: T; //   [d, 2·dFF]   columns: gate | up
  wDown: T; //     [dFF, d]
  /** Emotion-bias blocks only: per-token 5-d salience read from the key-side input, and β per head. */
  salience?: T; // [d, nEmotions]
  beta?: T; //     [nHeads]
}

export interface EmotionWeights<T> {
  norm: T; //     [d]
  head: T; //     [d, nEmotions]  residual → emotion logits
  headBias: T; // [nEmotions]
  proj: T; //     [nEmotions, d]  emotion probabilities → residual stream
}

export interface Weights<T> {
  embed: T; //     [vocab, d]
  blocks: BlockWeights<T>[];
  emotion: EmotionWeights<T>;
  finalNorm: T; // [d]
  /** Untied: [d, vocab] keeps the decode matmul untransposed (6× faster on wasm than x·Eᵀ). */
  lmHead: T;
}

export type Init = { kind: 'normal'; std: number } | { kind: 'const'; value: number };
export interface WeightSpec {
  shape: number[];
  init: Init;
}

/** The name → shape table (names are the paths in this structure: `blocks.3.wqkv`). */
export function weightTable(cfg: ModelConfig): Weights<WeightSpec> {
  const d = cfg.dModel;
  const hd = headDim(cfg);
  const E = cfg.nEmotions;
  const normal = (std: number): Init => ({ kind: 'normal', std });
  const ones: Init = { kind: 'const', value: 1 };
  const std = 0.02;
  // GPT-2: projections that write into the residual stream are scaled down by √(2·layers) so the
  // stream's variance does not grow with depth.
  const residualStd = std / Math.sqrt(2 * cfg.nLayers);
  return {
    embed: { shape: [cfg.vocabSize, d], init: normal(std) },
    blocks: Array.from({ length: cfg.nLayers }, (_, l) => ({
      attnNorm: { shape: [d], init: ones },
      wqkv: { shape: [d, (cfg.nHeads + 2 * cfg.nKvHeads) * hd], init: normal(std) },
      wo: { shape: [d, d], init: normal(residualStd) },
      mlpNorm: { shape: [d], init: ones },
      wGateUp: { shape: [d, 2 * cfg.dFF], init: normal(std) },
      wDown: { shape: [cfg.dFF, d], init: normal(residualStd) },
      ...(isBiasLayer(cfg, l)
        ? {
            salience: { shape: [d, E], init: normal(std) },
            // β = 1 makes the bias live from step 0, so its effect is measurable even on random weights.
            beta: { shape: [cfg.nHeads], init: ones },
          }
        : {}),
    })),
    emotion: {
      norm: { shape: [d], init: ones },
      head: { shape: [d, E], init: normal(std) },
      headBias: { shape: [E], init: { kind: 'const', value: 0 } },
      proj: { shape: [E, d], init: normal(residualStd) },
    },
    finalNorm: { shape: [d], init: ones },
    lmHead: { shape: [d, cfg.vocabSize], init: normal(std) },
  };
}

/** Apply f to every tensor slot, keeping the structure; f sees the canonical name. */
export function mapWeights<A, B>(w: Weights<A>, f: (name: string, a: A) => B): Weights<B> {
  return {
    embed: f('embed', w.embed),
    blocks: w.blocks.map((b, l) => {
      const p = `blocks.${l}.`;
      return {
        attnNorm: f(p + 'attnNorm', b.attnNorm),
        wqkv: f(p + 'wqkv', b.wqkv),
        wo: f(p + 'wo', b.wo),
        mlpNorm: f(p + 'mlpNorm', b.mlpNorm),
        wGateUp: f(p + 'wGateUp', b.wGateUp),
        wDown: f(p + 'wDown', b.wDown),
        ...(b.salience !== undefined ? { salience: f(p + 'salience', b.salience) } : {}),
        ...(b.beta !== undefined ? { beta: f(p + 'beta', b.beta) } : {}),
      };
    }),
    emotion: {
      norm: f('emotion.norm', w.emotion.norm),
      head: f('emotion.head', w.emotion.head),
      headBias: f('emotion.headBias', w.emotion.headBias),
      proj: f('emotion.proj', w.emotion.proj),
    },
    finalNorm: f('finalNorm', w.finalNorm),
    lmHead: f('lmHead', w.lmHead),
  };
}

/** name → shape, for code that holds flat arrays. */
export function weightShapes(cfg: ModelConfig): Map<string, number[]> {
  return new Map(weightEntries(weightTable(cfg)).map(([name, spec]) => [name, spec.shape]));
}

export function weightEntries<T>(w: Weights<T>): [string, T][] {
  const out: [string, T][] = [];
  mapWeights(w, (name, t) => out.push([name, t]));
  return out;
}

/** Seeded random init (Box–Muller over mulberry32): the same seed gives the same model anywhere. */
export function initWeights(cfg: ModelConfig, seed: number): Weights<Float32Array> {
  const rand = mulberry32(seed);
  return mapWeights(weightTable(cfg), (_name, spec) => {
    const a = new Float32Array(spec.shape.reduce((x, y) => x * y, 1));
    if (spec.init.kind === 'const') {
      a.fill(spec.init.value);
      return a;
    }
    // Each pair of uniforms gives two independent normals (r·cos θ, r·sin θ).
    for (let i = 0; i < a.length; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - rand())) * spec.init.std; // 1 − u ∈ (0, 1]: log stays finite
      const theta = 2 * Math.PI * rand();
      a[i] = r * Math.cos(theta);
      if (i + 1 < a.length) a[i + 1] = r * Math.sin(theta);
    }
    return a;
  });
}

/**
 * A model directory: config.json (the ModelConfig), model.safetensors (every tensor of the table,
 * F32 or F16) — tokenizer.json is written by the tokenizer itself.
 */
export async function saveWeights(dir: string, cfg: ModelConfig, w: Weights<Float32Array>, dtype: 'F32' | 'F16' = 'F32'): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify({ architecture: ARCHITECTURE, ...cfg }, null, 2) + '\n');
  const shapes = weightShapes(cfg);
  const tensors: Record<string, TensorEntry> = {};
  for (const [name, data] of weightEntries(w)) {
    const shape = shapes.get(name)!;
    tensors[name] = dtype === 'F32' ? f32(shape, data) : { dtype: 'F16', shape, data: new Uint8Array(f16Encode(data).buffer) };
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: ARCHITECTURE, params: String(countParams(cfg)) });
}

/** Load and check a model directory: every tensor of the table present with its shape, nothing else. */
export async function loadWeights(dir: string): Promise<{ config: ModelConfig; weights: Weights<Float32Array> }> {
  const config = await readModelConfig(dir);
  const file = join(dir, 'model.safetensors');
  const { tensors } = await readSafetensors(file);
  const table = weightTable(config);
  const weights = mapWeights(table, (name, spec) => {
    const entry = tensors.get(name);
    if (entry === undefined) throw new UserError(`${file}: missing tensor "${name}" (expected shape [${spec.shape.join(', ')}])`);
    if (entry.shape.length !== spec.shape.length || entry.shape.some((n: number, i: number) => n !== spec.shape[i])) {
      throw new UserError(`${file}: tensor "${name}" has shape [${entry.shape.join(', ')}] but config.json implies [${spec.shape.join(', ')}]`);
    }
    return toFloat32(entry);
  });
  const known = new Set(weightEntries(table).map(([name]) => name));
  for (const name of tensors.keys()) {
    if (!known.has(name)) throw new UserError(`${file}: unexpected tensor "${name}" (not part of the model described by config.json)`);
  }
  return { config, weights };
}

const ARCHITECTURE = 'emobench-scratch';

/** A model directory's config.json, checked; the weights are not read. */
export async function readModelConfig(dir: string): Promise<ModelConfig> {
  const path = join(dir, 'config.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: cannot read model config: ${e instanceof Error ? e.message : String(e)}`);
  }
  const keys: (keyof ModelConfig)[] = ['vocabSize', 'dModel', 'nLayers', 'nHeads', 'nKvHeads', 'dFF', 'maxSeq', 'ropeTheta', 'emotionLayer', 'nEmotions', 'normEps'];
  const obj = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const cfg = {} as Record<string, unknown>;
  for (const k of keys) {
    const v = obj[k];
    if (typeof v !== 'number') throw new UserError(`${path}: "${k}" must be a number`);
    cfg[k] = v;
  }
  if (obj.emotionReadout !== undefined) cfg.emotionReadout = obj.emotionReadout;
  try {
    return validateConfig(cfg as unknown as ModelConfig);
  } catch (e) {
    throw new UserError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
