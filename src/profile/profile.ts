import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDataset } from '../datasets/load.js';
import { UserError } from '../errors.js';
import { CONFIGS, EMOTIONS, type ConfigName, type ModelConfig } from '../scratch/config.js';
import type { KvDtype } from '../scratch/kv-cache.js';
import { ScratchModel, type ScratchOptions } from '../scratch/scratch-model.js';
import { loadScratchArrays, parseGpuWeightFormat, SHIPPED_SCRATCH } from '../models/scratch.js';
import { Tokenizer } from '../scratch/tokenizer.js';
import { initWeights } from '../scratch/weights.js';
import { parseModelSpec } from '../models/spec.js';
import { seededShuffle } from '../util/rng.js';
import { wilson, type Estimate } from '../scoring/ci.js';
import { pkgPath } from '../util/paths.js';
import { PROFILE_SCHEMA, type AccuracyRow, type MemoryMeasurement, type ProfileResult, type SweepRow } from '../results/types.js';
import { classifyThroughCache, measureMemory } from './measure.js';

export interface ProfileOptions {
  model: string;
  kv: KvDtype[];
  seq: number[];
  batch: number[];
  /** KV-head counts to sweep (grouped-query attention); only for random-weight configs. */
  kvHeads: number[] | null;
  window: (number | null)[];
  /** Decode steps timed at the end of each fill. */
  decodeSteps: number;
  /** Emotion test rows for the accuracy cost of each KV setting (0 skips it; undefined: 200 for
   * trained weights, 0 for random-weight configs, whose predictions are chance). */
  accuracyRows?: number;
  seed: number;
  log: (line: string) => void;
  /** The profile so far (complete: false) after every measurement, so a caller can save it. */
  progress?: (partial: ProfileResult) => void;
}

/** The scratch model under test: trained weights (scratch, scratch:<dir>) or a random config (scratch@paper). */
export async function openScratch(spec: string, opts: ScratchOptions, kvHeads?: number): Promise<ScratchModel> {
  const s = parseModelSpec(spec);
  if (s.name !== 'scratch') throw new UserError(`profile measures the scratch model's own engine memory; "${spec}" is not a scratch spec`);
  if (s.config !== undefined) {
    const base = CONFIGS[s.config as ConfigName];
    if (!base) throw new UserError(`model spec "${spec}": unknown config "${s.config}" (known: ${Object.keys(CONFIGS).join(', ')})`);
    const cfg = kvHeads === undefined ? base : { ...base, nKvHeads: kvHeads };
    if (cfg.nHeads % cfg.nKvHeads !== 0) throw new UserError(`--kv-heads ${kvHeads}: must divide the ${cfg.nHeads} query heads`);
    return ScratchModel.random(cfg, Number(s.options['seed'] ?? 0), undefined, opts);
  }
  if (kvHeads !== undefined) throw new UserError('--kv-heads changes the architecture: it needs a random-weight config such as scratch@paper');
  const dir = s.target === undefined ? SHIPPED_SCRATCH : resolve(s.target);
  if (!existsSync(join(dir, 'model.safetensors'))) throw new UserError(`no model.safetensors in ${dir}`);
  return ScratchModel.load(dir, opts);
}

/** One model setting under profile, on engine=tfjs (tf.memory, the typed-array cache) or engine=webgpu (its GPU allocator). */
interface Profiled {
  config: ModelConfig;
  params: number;
  device?: string;
  measure(batch: number, seq: number, decodeSteps: number): Promise<MemoryMeasurement>;
  classifyThroughCache(texts: readonly string[]): Promise<number[]>;
  /** The same weights under other options (dispose it too; tfjs shares the weights). */
  withOptions(opts: ScratchOptions): Promise<Profiled>;
  dispose(): void;
}

async function openProfiled(spec: string, opts: ScratchOptions, kvHeads?: number): Promise<Profiled> {
  const s = parseModelSpec(spec);
  if (s.name === 'scratch' && s.options['engine'] === 'webgpu') return openGpuProfiled(spec, opts, kvHeads);
  return tfjsProfiled(await openScratch(spec, opts, kvHeads));
}

function tfjsProfiled(m: ScratchModel): Profiled {
  return {
    config: m.config,
    params: m.info().params,
    measure: (batch, seq, steps) => measureMemory(m, batch, seq, steps),
    classifyThroughCache: async (texts) => classifyThroughCache(m, texts),
    withOptions: async (o) => tfjsProfiled(m.withOptions(o)),
    dispose: () => m.dispose(),
  };
}

async function openGpuProfiled(spec: string, opts: ScratchOptions, kvHeads?: number): Promise<Profiled> {
  const s = parseModelSpec(spec);
  let arrays: Awaited<ReturnType<typeof loadScratchArrays>>;
  if (s.config !== undefined) {
    const base = CONFIGS[s.config as ConfigName];
    if (!base) throw new UserError(`model spec "${spec}": unknown config "${s.config}" (known: ${Object.keys(CONFIGS).join(', ')})`);
    const config = kvHeads === undefined ? base : { ...base, nKvHeads: kvHeads };
    if (config.nHeads % config.nKvHeads !== 0) throw new UserError(`--kv-heads ${kvHeads}: must divide the ${config.nHeads} query heads`);
    arrays = { config, weights: initWeights(config, Number(s.options['seed'] ?? 0)), tokenizer: new Tokenizer([]) };
  } else {
    if (kvHeads !== undefined) throw new UserError('--kv-heads changes the architecture: it needs a random-weight config such as scratch@paper');
    const dir = s.target === undefined ? SHIPPED_SCRATCH : resolve(s.target);
    if (!existsSync(join(dir, 'model.safetensors'))) throw new UserError(`no model.safetensors in ${dir}`);
    arrays = await loadScratchArrays({ kind: 'dir', dir, describe: {} });
  }
  const weights = parseGpuWeightFormat(s);
  // Loaded on demand: Dawn's native library is large and needs a Vulkan driver.
  const { GpuScratchEngine } = await import('../gpu/engine.js');
  const { classifyThroughGpuCache, measureGpuMemory } = await import('./measure-gpu.js');
  const open = async (o: ScratchOptions): Promise<Profiled> => {
    const e = await GpuScratchEngine.create(arrays.config, arrays.weights, arrays.tokenizer, { kv: o.kv ?? 'fp32', bias: o.bias ?? true, ...(o.window ? { window: o.window } : {}), weights });
    return {
      config: e.config,
      params: e.info().params,
      device: e.info().engine.device,
      measure: (batch, seq, steps) => measureGpuMemory(e, batch, seq, steps),
      classifyThroughCache: (texts) => classifyThroughGpuCache(e, texts),
      withOptions: open,
      dispose: () => e.dispose(),
    };
  };
  return open(opts);
}

const label = (r: { kv: string; kv_heads: number; window: number | null; bias?: boolean }) =>
  `${r.kv}${r.window ? ` window ${r.window}` : ''} · ${r.kv_heads} kv heads${r.bias === false ? ' · bias off' : ''}`;

export async function runProfile(o: ProfileOptions): Promise<ProfileResult> {
  if (!o.kv.includes('fp32')) o.kv = ['fp32', ...o.kv]; // the baseline every saving is measured against
  const rows: SweepRow[] = [];
  let timeline: ProfileResult['timeline'] | undefined;
  let base: Profiled | undefined;
  let biasOverhead = NaN;
  let accuracy: AccuracyRow[] = [];
  const result = (complete: boolean): ProfileResult => {
    savings(rows);
    const longest = Math.max(...rows.map((r) => r.seq));
    const candidates = rows.filter((r) => r.batch === 1 && r.seq === longest && Number.isFinite(r.total_saving_pct));
    const best = candidates.sort((a, b) => b.total_saving_pct - a.total_saving_pct)[0];
    return {
      schema: PROFILE_SCHEMA,
      complete,
      model: o.model,
      ...(base!.device !== undefined ? { device: base!.device } : {}),
      config: base!.config,
      params: base!.params,
      sweep: rows,
      accuracy,
      timeline: timeline ?? { setting: 'n/a', points: [] },
      claims: { bias_overhead_pct: biasOverhead, best_setting: best ? `${label(best)} at ${longest} tokens` : 'n/a', best_total_saving_pct: best?.total_saving_pct ?? NaN },
    };
  };
  const headsList: (number | undefined)[] = o.kvHeads ?? [undefined];
  for (const heads of headsList) {
    for (const window of o.window) {
      for (const kv of o.kv) {
        const m = await openProfiled(o.model, { kv, bias: true, ...(window ? { window } : {}) }, heads);
        base ??= m;
        for (const batch of o.batch) {
          for (const seq of o.seq) {
            if (seq > m.config.maxSeq && window === null) {
              o.log(`  skip seq ${seq}: over the model's context of ${m.config.maxSeq}`);
              continue;
            }
            const r = await m.measure(batch, seq, o.decodeSteps);
            const { timeline: points, ...row } = r;
            if (!timeline || (batch === 1 && seq === Math.max(...o.seq) && kv !== 'fp32')) timeline = { setting: label(row), points };
            rows.push({ ...row, kv_saving_pct: NaN, total_saving_pct: NaN, kv_error_pct: (100 * Math.abs(r.kv_measured.total - r.kv_analytic.total)) / r.kv_analytic.total });
            o.log(`  ${label(row)} · batch ${batch} · ${seq} tokens: KV ${(r.kv_measured.total / 2 ** 20).toFixed(2)} MiB, activations ${(r.activations_bytes / 2 ** 20).toFixed(1)} MiB, decode ${r.decode_tps.toFixed(1)} tok/s`);
            o.progress?.(result(false));
          }
        }
        if (m !== base) m.dispose();
      }
    }
  }

  const longest = Math.max(...rows.map((r) => r.seq));
  // The bias's memory: the same fp32 setting with the mechanism off (no salience weights, cache or extra activations).
  const on = rows.find((r) => r.kv === 'fp32' && r.window === null && r.batch === 1 && r.seq === longest && r.kv_heads === base!.config.nKvHeads);
  if (on) {
    const off = await openProfiled(o.model, { kv: 'fp32', bias: false }, o.kvHeads ? base!.config.nKvHeads : undefined);
    const r = await off.measure(1, longest, o.decodeSteps);
    const offWeights = r.weights_bytes - biasWeightBytes(off.config);
    biasOverhead = 100 * (on.total_bytes / (offWeights + r.kv_measured.total + r.activations_bytes) - 1);
    off.dispose();
    o.progress?.(result(false));
  }

  const random = parseModelSpec(o.model).config !== undefined;
  const accuracyRows = o.accuracyRows ?? (random ? 0 : 200);
  if (o.accuracyRows === undefined && random) {
    o.log(`  accuracy cost skipped: ${o.model} has random weights, so its predictions are chance; profile a trained model (scratch) or pass --limit N`);
  }
  if (accuracyRows > 0) {
    accuracy = await accuracyCost(o, base!, accuracyRows, (rowsSoFar) => {
      accuracy = rowsSoFar;
      o.progress?.(result(false));
    });
  }
  base?.dispose();
  return result(true);
}

/** Savings of each row against the fp32 row of the same heads, window, batch and length. */
function savings(rows: SweepRow[]): void {
  for (const r of rows) {
    const ref = rows.find((x) => x.kv === 'fp32' && x.kv_heads === r.kv_heads && x.window === r.window && x.batch === r.batch && x.seq === r.seq);
    if (!ref) continue;
    // The KV cache proper (K, V and int8 scales); the bias's salience cache is fp32 in every setting.
    const cacheBytes = (x: SweepRow) => x.kv_measured.k + x.kv_measured.v + x.kv_measured.scales;
    r.kv_saving_pct = 100 * (1 - cacheBytes(r) / cacheBytes(ref));
    r.total_saving_pct = 100 * (1 - r.total_bytes / ref.total_bytes);
  }
}

/** Parameters that exist only for the emotion bias: per-block salience projections and β. */
function biasWeightBytes(cfg: ModelConfig): number {
  let n = 0;
  for (let l = cfg.emotionLayer + 1; l < cfg.nLayers; l++) n += cfg.dModel * cfg.nEmotions + cfg.nHeads;
  return n * 4;
}

/** Emotion accuracy with the test texts streamed through each KV setting's cache, against fp32. */
async function accuracyCost(o: ProfileOptions, base: Profiled, n: number, progress: (rows: AccuracyRow[]) => void): Promise<AccuracyRow[]> {
  const data = await loadDataset(pkgPath('datasets', 'emotion', 'emotion.csv'), { labels: [...EMOTIONS] });
  const rows = seededShuffle(data.rows.filter((r) => r.split === 'test'), o.seed).slice(0, n);
  const out: AccuracyRow[] = [];
  for (const window of o.window) {
    let fp32 = NaN;
    for (const kv of o.kv) {
      const m = await base.withOptions({ kv, bias: true, ...(window ? { window } : {}) });
      const preds = await m.classifyThroughCache(rows.map((r) => r.text));
      m.dispose();
      const correct = preds.filter((p, i) => EMOTIONS[p] === rows[i]!.label).length;
      const acc = wilson(correct, rows.length);
      if (kv === 'fp32') fp32 = acc.value;
      out.push({ kv, window, accuracy: acc, delta_pts: 100 * (acc.value - fp32) });
      o.log(`  accuracy through the ${kv} cache${window ? ` (window ${window})` : ''}: ${(100 * acc.value).toFixed(1)}% on ${rows.length} test texts`);
      progress([...out]);
    }
  }
  return out;
}
