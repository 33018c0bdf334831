/**
 * The KV cache in GPU buffers, with the layout of src/scratch/kv-cache.ts: per layer k and v as
 * [batch, kvHeads, capacity, headDim] (fp32; fp16 as packed halves; int8 as packed bytes with one
 * float32 absmax scale per (batch, head, slot)), plus the float32 salience [batch, capacity, E] of
 * the emotion-bias blocks. Allocated once per generation at its full capacity: the cache grows by
 * writes into slots (slot = position mod capacity, a ring when there is a window), never by copies.
 * Attention reads it in place (attention-decode.ts); nothing dequantises it into a second buffer.
 */
import { kvByteCounts, type KvByteCounts, type KvBytes, type KvCacheSpec, type KvDtype } from '../scratch/kv-cache.js';
import type { GpuAllocator } from './allocator.js';
import type { GpuRuntime, Pass } from './runtime.js';

/** WGSL for a cache buffer's element type and a vec4 load at vec4 index i (headDim % 4 = 0). */
export function kvWgsl(dtype: KvDtype): { type: string; load: (buf: string, i: string) => string } {
  if (dtype === 'fp32') return { type: 'vec4<f32>', load: (b, i) => `${b}[${i}]` };
  if (dtype === 'fp16') return { type: 'vec2<u32>', load: (b, i) => `vec4<f32>(unpack2x16float(${b}[${i}].x), unpack2x16float(${b}[${i}].y))` };
  return {
    type: 'u32',
    load: (b, i) => `vec4<f32>(vec4<i32>(extractBits(bitcast<i32>(${b}[${i}]), 0u, 8u), extractBits(bitcast<i32>(${b}[${i}]), 8u, 8u), extractBits(bitcast<i32>(${b}[${i}]), 16u, 8u), extractBits(bitcast<i32>(${b}[${i}]), 24u, 8u)))`,
  };
}

const BYTES: Record<KvDtype, number> = { fp32: 4, fp16: 2, int8: 1 };

export class GpuKvCache {
  readonly k: GPUBuffer[];
  readonly v: GPUBuffer[];
  readonly kScale: GPUBuffer[];
  readonly vScale: GPUBuffer[];
  readonly salience = new Map<number, GPUBuffer>();
  /** Slots written so far per row, left padding included (may pass capacity in a ring). */
  length = 0;
  readonly pad: Int32Array;
  private destroyed = false;

  constructor(
    readonly spec: KvCacheSpec,
    private readonly alloc: GpuAllocator,
  ) {
    const { nLayers, nKvHeads, headDim, batch, capacity, dtype } = spec;
    if (headDim % 4 !== 0) throw new Error(`GPU KV cache: head dim ${headDim} must be a multiple of 4`);
    const elements = batch * nKvHeads * capacity * headDim;
    const usage = GPUBufferUsage.STORAGE;
    const make = (purpose: 'kv' | 'kv-scales', bytes: number, label: string) => (l: number) => alloc.create(purpose, bytes, usage, `${label} ${l}`);
    const layers = [...Array(nLayers).keys()];
    this.k = layers.map(make('kv', elements * BYTES[dtype], 'k cache'));
    this.v = layers.map(make('kv', elements * BYTES[dtype], 'v cache'));
    const scales = dtype === 'int8' ? batch * nKvHeads * capacity * 4 : 0;
    this.kScale = dtype === 'int8' ? layers.map(make('kv-scales', scales, 'k scales')) : [];
    this.vScale = dtype === 'int8' ? layers.map(make('kv-scales', scales, 'v scales')) : [];
    for (const l of spec.salienceLayers) this.salience.set(l, alloc.create('salience', batch * capacity * spec.nEmotions * 4, usage, `salience ${l}`));
    this.pad = new Int32Array(batch);
  }

  /** Allocated: the GPU buffers' sizes. Used: the slots holding positions (kvByteCounts). */
  bytes(): KvBytes {
    const { batch, capacity, dtype } = this.spec;
    const sum = (bs: Iterable<GPUBuffer>): number => [...bs].reduce((n, b) => n + b.size, 0);
    const tokens = Math.min(this.length, capacity);
    const k = sum(this.k);
    const v = sum(this.v);
    const scales = sum(this.kScale) + sum(this.vScale);
    const salience = sum(this.salience.values());
    const allocated: KvByteCounts = { k, v, scales, salience, total: k + v + scales + salience };
    return { dtype, batch, capacity, tokens, allocated, used: kvByteCounts(this.spec, tokens) };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of [...this.k, ...this.v, ...this.kScale, ...this.vScale, ...this.salience.values()]) this.alloc.destroy(b);
  }
}

function writeShader(dtype: KvDtype, headDim: number): string {
  const HD4 = headDim / 4;
  const { type } = kvWgsl(dtype);
  const store = {
    fp32: `for (var i = 0u; i < HD4; i++) { dst[row * HD4 + i] = qkv[src + i]; }`,
    fp16: `for (var i = 0u; i < HD4; i++) { let x = qkv[src + i]; dst[row * HD4 + i] = vec2<u32>(pack2x16float(x.xy), pack2x16float(x.zw)); }`,
    // Symmetric absmax per (row, head), rounded as Math.round (half up) like kv-cache.ts.
    int8: `var absmax = 0.0;
    for (var i = 0u; i < HD4; i++) { let a = abs(qkv[src + i]); absmax = max(absmax, max(max(a.x, a.y), max(a.z, a.w))); }
    let s = absmax / 127.0;
    scale[row] = s;
    let inv = select(0.0, 1.0 / s, s > 0.0);
    for (var i = 0u; i < HD4; i++) {
      let q = vec4<i32>(floor(qkv[src + i] * inv + 0.5));
      dst[row * HD4 + i] = (bitcast<u32>(q.x) & 0xffu) | ((bitcast<u32>(q.y) & 0xffu) << 8u) | ((bitcast<u32>(q.z) & 0xffu) << 16u) | ((bitcast<u32>(q.w) & 0xffu) << 24u);
    }`,
  }[dtype];
  return /* wgsl */ `
const HD4 = ${HD4}u;
struct P { R: u32, T: u32, t0: u32, first: u32, cap: u32, width4: u32, H: u32, Hkv: u32, which: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> qkv: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<${type}>;
${dtype === 'int8' ? '@group(0) @binding(3) var<storage, read_write> scale: array<f32>;' : ''}

// Row r of this call is batch row r / T at slot t0 + r % T; slots before first are not kept.
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= p.R * p.Hkv) { return; }
  let r = gid.x / p.Hkv;
  let kvh = gid.x % p.Hkv;
  let t = p.t0 + r % p.T;
  if (t < p.first) { return; }
  let row = ((r / p.T) * p.Hkv + kvh) * p.cap + t % p.cap;
  // which = 0: the k head (after the H q heads), 1: the v head (after the k heads).
  let src = r * p.width4 + (p.H + p.which * p.Hkv + kvh) * HD4;
  ${store}
}`;
}

const SALIENCE_SHADER = /* wgsl */ `
struct P { R: u32, T: u32, t0: u32, first: u32, cap: u32, E: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> sal: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= p.R) { return; }
  let t = p.t0 + r % p.T;
  if (t < p.first) { return; }
  let row = (r / p.T) * p.cap + t % p.cap;
  for (var c = 0u; c < p.E; c++) { dst[row * p.E + c] = sal[r * p.E + c]; }
}`;

export interface WriteShape {
  /** Rows in this call (batch · T) and rows per batch row. */
  R: number;
  T: number;
  /** Slot index of each batch row's first row in this call. */
  t0: number;
  /** Slots before this are not stored (a prompt longer than a window's ring). */
  first: number;
}

/** Rotated k and v heads of `qkv` [R × (H + 2·Hkv)·hd] into layer `layer`'s cache slots. */
export function writeKv(rt: GpuRuntime, pass: Pass, cache: GpuKvCache, layer: number, qkv: GPUBuffer, s: WriteShape, nHeads: number): void {
  const { nKvHeads: Hkv, headDim, capacity, dtype } = cache.spec;
  const pipeline = rt.pipeline(writeShader(dtype, headDim), `kv write ${dtype}`);
  const width4 = ((nHeads + 2 * Hkv) * headDim) / 4;
  for (const which of [0, 1]) {
    const dst = which === 0 ? cache.k[layer]! : cache.v[layer]!;
    const scale = which === 0 ? cache.kScale[layer] : cache.vScale[layer];
    pass.dispatch(pipeline, [s.R, s.T, s.t0, s.first, capacity, width4, nHeads, Hkv, which], scale ? [qkv, dst, scale] : [qkv, dst], Math.ceil((s.R * Hkv) / 64));
  }
}

/** This call's salience [R × E] into the layer's salience slots. */
export function writeSalience(rt: GpuRuntime, pass: Pass, cache: GpuKvCache, layer: number, sal: GPUBuffer, s: WriteShape): void {
  const dst = cache.salience.get(layer);
  if (dst === undefined) throw new Error(`GPU KV cache: no salience kept for layer ${layer}`);
  pass.dispatch(rt.pipeline(SALIENCE_SHADER, 'salience write'), [s.R, s.T, s.t0, s.first, cache.spec.capacity, cache.spec.nEmotions], [sal, dst], Math.ceil(s.R / 64));
}
