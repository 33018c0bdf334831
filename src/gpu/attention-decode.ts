/**
 * Decode attention, fused over the KV cache: each batch row's new query (one position) against
 * every visible cached key, reading the cache in place in its own element type (fp32, fp16 pairs,
 * int8 with its per-slot scales), with grouped-query heads (query head h reads kv head ⌊h / g⌋),
 * the window/ring bound, left padding, and the emotion bias β_h·⟨e_t, s_j⟩ (e_t: this step's
 * emotion vector; s_j: the cached salience of key j):
 *   score_j = (q·k_j)·kscale_j / √hd + β_h·⟨e_t, s_j⟩,   out = Σ_j softmax(score)_j · v_j·vscale_j
 * Split-K, flash-decoding style: one workgroup of WG invocations per (row, head); invocation i takes
 * keys lo+i, lo+i+WG, … with an online softmax (running max m, sum l, accumulator) in registers;
 * the WG partial results are merged once through workgroup memory (two barriers in all).
 */
import type { KvDtype } from '../scratch/kv-cache.js';
import { kvWgsl, type GpuKvCache } from './kv-cache.js';
import { f32bits, type GpuRuntime, type Pass } from './runtime.js';

const WG = 32;

function shader(dtype: KvDtype, headDim: number, bias: boolean, E: number): string {
  const HD4 = headDim / 4;
  const kv = kvWgsl(dtype);
  const int8 = dtype === 'int8';
  let n = 6;
  const scales = int8 ? `@group(0) @binding(${n++}) var<storage, read> kScale: array<f32>;\n@group(0) @binding(${n++}) var<storage, read> vScale: array<f32>;` : '';
  const biasDecl = bias
    ? `@group(0) @binding(${n++}) var<storage, read> emotions: array<f32>; // [B × E], this step
@group(0) @binding(${n++}) var<storage, read> salience: array<f32>; // [B × cap × E], cached
@group(0) @binding(${n++}) var<storage, read> beta: array<f32>;     // [H]`
    : '';
  return /* wgsl */ `
const HD4 = ${HD4}u;
const WG = ${WG}u;
const E = ${E}u;
struct P { B: u32, H: u32, Hkv: u32, cap: u32, t: u32, window: u32, width4: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> qkv: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> K: array<${kv.type}>;
@group(0) @binding(3) var<storage, read> V: array<${kv.type}>;
@group(0) @binding(4) var<storage, read> pad: array<u32>;
@group(0) @binding(5) var<storage, read_write> out: array<vec4<f32>>;
${scales}
${biasDecl}

var<workgroup> partMax: array<f32, WG>;
var<workgroup> partSum: array<f32, WG>;
var<workgroup> partAcc: array<vec4<f32>, ${WG * HD4}>;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let b = wid.x / p.H;
  let h = wid.x % p.H;
  let kvh = h / (p.H / p.Hkv);
  let tid = lid.x;
  var q: array<vec4<f32>, HD4>;
  for (var i = 0u; i < HD4; i++) { q[i] = qkv[b * p.width4 + h * HD4 + i]; }
  // Visible: [lo, t] — not padding, inside the ring, inside the window.
  var lo = pad[b];
  if (p.t + 1u > p.cap) { lo = max(lo, p.t + 1u - p.cap); }
  if (p.window > 0u && p.t + 1u > p.window) { lo = max(lo, p.t + 1u - p.window); }
  ${bias ? 'var e: array<f32, E>;\n  for (var c = 0u; c < E; c++) { e[c] = emotions[b * E + c]; }\n  let bh = beta[h];' : ''}
  var m = -3.0e38;
  var l = 0.0;
  var acc: array<vec4<f32>, HD4>;
  for (var j = lo + tid; j <= p.t; j += WG) {
    let slot = j % p.cap;
    let row = (b * p.Hkv + kvh) * p.cap + slot;
    var dot4 = vec4<f32>(0.0);
    for (var i = 0u; i < HD4; i++) { dot4 += q[i] * ${kv.load('K', 'row * HD4 + i')}; }
    var s = (dot4.x + dot4.y + dot4.z + dot4.w)${int8 ? ' * kScale[row]' : ''} * p.scale;
    ${bias ? 'var aff = 0.0;\n    for (var c = 0u; c < E; c++) { aff += e[c] * salience[(b * p.cap + slot) * E + c]; }\n    s += bh * aff;' : ''}
    let mNew = max(m, s);
    let corr = exp(m - mNew);
    let w = exp(s - mNew);
    l = l * corr + w;
    let wv = w${int8 ? ' * vScale[row]' : ''};
    for (var i = 0u; i < HD4; i++) { acc[i] = acc[i] * corr + wv * ${kv.load('V', 'row * HD4 + i')}; }
    m = mNew;
  }
  partMax[tid] = m;
  workgroupBarrier();
  var top = -3.0e38;
  for (var i = 0u; i < WG; i++) { top = max(top, partMax[i]); }
  let f = exp(m - top);
  partSum[tid] = l * f;
  for (var i = 0u; i < HD4; i++) { partAcc[tid * HD4 + i] = acc[i] * f; }
  workgroupBarrier();
  var total = 0.0;
  for (var i = 0u; i < WG; i++) { total += partSum[i]; }
  for (var i = tid; i < HD4; i += WG) {
    var o = vec4<f32>(0.0);
    for (var k = 0u; k < WG; k++) { o += partAcc[k * HD4 + i]; }
    out[(b * p.H + h) * HD4 + i] = o / total;
  }
}`;
}

export interface DecodeAttentionArgs {
  cache: GpuKvCache;
  layer: number;
  /** [B × (H + 2·Hkv)·hd] with RoPE applied; its new k, v are already in the cache. */
  qkv: GPUBuffer;
  /** [B] left padding per row. */
  pad: GPUBuffer;
  out: GPUBuffer;
  nHeads: number;
  /** The new position's slot index (cache.length − 1). */
  t: number;
  window?: number;
  /** Emotion bias: this step's emotion vectors [B × E] and the block's β [H]. */
  bias?: { emotions: GPUBuffer; beta: GPUBuffer };
}

export function decodeAttention(rt: GpuRuntime, pass: Pass, a: DecodeAttentionArgs): void {
  const { batch: B, nKvHeads: Hkv, headDim, capacity, dtype, nEmotions: E } = a.cache.spec;
  const H = a.nHeads;
  const pipeline = rt.pipeline(shader(dtype, headDim, a.bias !== undefined, E), `decode attention ${dtype}${a.bias ? ' bias' : ''}`);
  const buffers = [a.qkv, a.cache.k[a.layer]!, a.cache.v[a.layer]!, a.pad, a.out];
  if (dtype === 'int8') buffers.push(a.cache.kScale[a.layer]!, a.cache.vScale[a.layer]!);
  if (a.bias) buffers.push(a.bias.emotions, a.cache.salience.get(a.layer)!, a.bias.beta);
  const width4 = ((H + 2 * Hkv) * headDim) / 4;
  pass.dispatch(pipeline, [B, H, Hkv, capacity, a.t, a.window ?? 0, width4, f32bits(1 / Math.sqrt(headDim))], buffers, B * H);
}
