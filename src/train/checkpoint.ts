/**
 * A training checkpoint is one file, `<out>/checkpoint.safetensors`: the F32 weights
 * (`param.<name>`), AdamW's moments (`adam_m.<name>`, `adam_v.<name>`) and, in the metadata, the
 * loop state as JSON. writeSafetensors writes a temporary file, fsyncs and renames it over the old
 * one, so a kill at any moment leaves either the previous checkpoint or the new one, never a torn
 * file. The data order and every random draw are functions of (seed, epoch, step) — see
 * data.ts/loop.ts — so the step in the state is the whole RNG state.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { f32, readSafetensors, toFloat32, writeSafetensors, type TensorEntry } from '../scratch/safetensors.js';
import type { ModelConfig } from '../scratch/config.js';
import { weightShapes } from '../scratch/weights.js';
import { UserError } from '../errors.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';

export interface LoopState {
  /** Updates applied so far; the next step to run has this 0-based index. */
  step: number;
  config: ModelConfig;
  /** The options that shape the trajectory (seed, lr, batch, …); a resume must match them. */
  plan: Record<string, unknown>;
  /** Data fingerprint (data.ts): a resume against other rows is refused. */
  data: string;
  /** Best dev score so far and its step, so model selection continues across a resume. */
  best: { score: number; step: number } | null;
  tokensSeen: number;
  /** Training seconds before this checkpoint, so tokens/s and the log's clock survive a resume. */
  elapsedS: number;
}

export interface Checkpoint {
  state: LoopState;
  params: Map<string, Float32Array>;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

export async function saveCheckpoint(dir: string, ck: Checkpoint): Promise<void> {
  const shapes = weightShapes(ck.state.config);
  const tensors: Record<string, TensorEntry> = {};
  for (const [prefix, src] of [['param', ck.params], ['adam_m', ck.m], ['adam_v', ck.v]] as const) {
    for (const [name, data] of src) tensors[`${prefix}.${name}`] = f32(shapes.get(name)!, data);
  }
  await writeSafetensors(join(dir, CHECKPOINT_FILE), tensors, { format: 'emobench-train-checkpoint', state: JSON.stringify(ck.state) });
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, CHECKPOINT_FILE));
}

export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const file = join(dir, CHECKPOINT_FILE);
  if (!existsSync(file)) throw new UserError(`--resume ${dir}: no ${CHECKPOINT_FILE} there (was it written by emobench train?)`);
  const { tensors, metadata } = await readSafetensors(file);
  if (metadata['format'] !== 'emobench-train-checkpoint' || metadata['state'] === undefined) {
    throw new UserError(`${file}: not an emobench training checkpoint`);
  }
  const state = JSON.parse(metadata['state']) as LoopState;
  const ck: Checkpoint = { state, params: new Map(), m: new Map(), v: new Map() };
  for (const [key, entry] of tensors) {
    const dot = key.indexOf('.');
    const target = { param: ck.params, adam_m: ck.m, adam_v: ck.v }[key.slice(0, dot)];
    if (target === undefined) throw new UserError(`${file}: unexpected tensor "${key}"`);
    target.set(key.slice(dot + 1), toFloat32(entry));
  }
  return ck;
}
