/**
 * Prefill attention, tiled flash-style: no T×T score matrix exists anywhere, so activation memory
 * grows linearly with the prompt. A workgroup takes TQ consecutive queries of one (batch row, head),
 * one query per invocation; key/value tiles of TK positions (and their salience) are staged in
 * workgroup memory, and each invocation folds a tile into its online softmax (running max, sum and
 * accumulator in registers). Keys and values are the full-precision rotated heads of this forward's
 * qkv rows — as in the tf forward; the cache's element type matters only from the first decode step.
 * Mask as transformer.ts attentionMask: causal, window, no padding keys, a padding query sees itself.
 * Emotion bias: + β_h·⟨e_i, s_j⟩ with e_i this forward's emotion vectors and s_j its salience.
 */
import { f32bits, type GpuRuntime, type Pass } from './runtime.js';

const TQ = 32;
const TK = 32;

function shader(headDim: number, bias: boolean, E: number): string {
  const HD4 = headDim / 4;
  return /* wgsl */ `
const HD4 = ${HD4}u;
const TQ = ${TQ}u;
const TK = ${TK}u;
const E = ${E}u;
struct P { T: u32, H: u32, Hkv: u32, width4: u32, window: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> qkv: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> pad: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>;
${
  bias
    ? `@group(0) @binding(4) var<storage, read> emotions: array<f32>; // [R × E]
@group(0) @binding(5) var<storage, read> salience: array<f32>; // [R × E]
@group(0) @binding(6) var<storage, read> beta: array<f32>;     // [H]
var<workgroup> sTile: array<f32, ${TK * E}>;`
    : ''
}
var<workgroup> kTile: array<vec4<f32>, ${TK * HD4}>;
var<workgroup> vTile: array<vec4<f32>, ${TK * HD4}>;

@compute @workgroup_size(${TQ})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let b = wid.y / p.H;
  let h = wid.y % p.H;
  let kvh = h / (p.H / p.Hkv);
  let tid = lid.x;
  let i0 = wid.x * TQ;
  let i = i0 + tid;
  let valid = i < p.T;
  let padB = pad[b];
  var lo = i;
  if (i >= padB) {
    lo = padB;
    if (p.window > 0u && i + 1u > p.window) { lo = max(lo, i + 1u - p.window); }
  }
  var q: array<vec4<f32>, HD4>;
  if (valid) {
    for (var d = 0u; d < HD4; d++) { q[d] = qkv[(b * p.T + i) * p.width4 + h * HD4 + d]; }
  }
  ${bias ? 'var e: array<f32, E>;\n  if (valid) { for (var c = 0u; c < E; c++) { e[c] = emotions[(b * p.T + i) * E + c]; } }\n  let bh = beta[h];' : ''}
  var m = -3.0e38;
  var l = 0.0;
  var acc: array<vec4<f32>, HD4>;
  // Key range of the whole tile of queries (uniform across the workgroup, so barriers are legal).
  var kStart = 0u;
  if (p.window > 0u && i0 + 1u > p.window) { kStart = i0 + 1u - p.window; }
  let kEnd = min(p.T, i0 + TQ);
  for (var k0 = kStart; k0 < kEnd; k0 += TK) {
    let jLoad = k0 + tid;
    if (jLoad < p.T) {
      let r = (b * p.T + jLoad) * p.width4;
      for (var d = 0u; d < HD4; d++) {
        kTile[tid * HD4 + d] = qkv[r + (p.H + kvh) * HD4 + d];
        vTile[tid * HD4 + d] = qkv[r + (p.H + p.Hkv + kvh) * HD4 + d];
      }
      ${bias ? 'for (var c = 0u; c < E; c++) { sTile[tid * E + c] = salience[(b * p.T + jLoad) * E + c]; }' : ''}
    }
    workgroupBarrier();
    if (valid) {
      for (var jj = 0u; jj < TK; jj++) {
        let j = k0 + jj;
        if (j < lo || j > i) { continue; }
        var dot4 = vec4<f32>(0.0);
        for (var d = 0u; d < HD4; d++) { dot4 += q[d] * kTile[jj * HD4 + d]; }
        var s = (dot4.x + dot4.y + dot4.z + dot4.w) * p.scale;
        ${bias ? 'var aff = 0.0;\n        for (var c = 0u; c < E; c++) { aff += e[c] * sTile[jj * E + c]; }\n        s += bh * aff;' : ''}
        let mNew = max(m, s);
        let corr = exp(m - mNew);
        let w = exp(s - mNew);
        l = l * corr + w;
        for (var d = 0u; d < HD4; d++) { acc[d] = acc[d] * corr + w * vTile[jj * HD4 + d]; }
        m = mNew;
      }
    }
    workgroupBarrier();
  }
  if (valid) {
    for (var d = 0u; d < HD4; d++) { out[((b * p.T + i) * p.H + h) * HD4 + d] = acc[d] / l; }
  }
}`;
}

export interface PrefillAttentionArgs {
  /** [B·T × (H + 2·Hkv)·hd], RoPE applied. */
  qkv: GPUBuffer;
  pad: GPUBuffer;
  /** [B·T × H·hd] */
  out: GPUBuffer;
  B: number;
  T: number;
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  nEmotions: number;
  window?: number;
  /** Emotion bias: emotion vectors and salience [B·T × E] of this forward, the block's β [H]. */
  bias?: { emotions: GPUBuffer; salience: GPUBuffer; beta: GPUBuffer };
}

export function prefillAttention(rt: GpuRuntime, pass: Pass, a: PrefillAttentionArgs): void {
  const pipeline = rt.pipeline(shader(a.headDim, a.bias !== undefined, a.nEmotions), `prefill attention${a.bias ? ' bias' : ''}`);
  const buffers = [a.qkv, a.pad, a.out];
  if (a.bias) buffers.push(a.bias.emotions, a.bias.salience, a.bias.beta);
  const width4 = ((a.nHeads + 2 * a.nKvHeads) * a.headDim) / 4;
  pass.dispatch(pipeline, [a.T, a.nHeads, a.nKvHeads, width4, a.window ?? 0, f32bits(1 / Math.sqrt(a.headDim))], buffers, Math.ceil(a.T / TQ), a.B * a.nHeads);
}
