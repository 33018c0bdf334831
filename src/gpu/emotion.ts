/**
 * The emotion head and its feedback, fused, one invocation per position r:
 *   h = RMSNorm(x_r; norm),  z = h·W + b  (5 logits),  e = softmax(z),  x_r += e·P
 * e is written to `emotions` [R × E]: classification reads it back, and the emotion-bias attention
 * of the later blocks reads it as the query side's emotion.
 */
import { f32bits, type GpuRuntime, type Pass } from './runtime.js';

function shader(E: number): string {
  return /* wgsl */ `
const E = ${E}u;
struct P { R: u32, d: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> norm: array<f32>;
@group(0) @binding(3) var<storage, read> head: array<f32>;      // [d × E]
@group(0) @binding(4) var<storage, read> headBias: array<f32>;  // [E]
@group(0) @binding(5) var<storage, read> proj: array<f32>;      // [E × d]
@group(0) @binding(6) var<storage, read_write> emotions: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= p.R) { return; }
  let o = r * p.d;
  var ss = 0.0;
  for (var i = 0u; i < p.d; i++) { ss += x[o + i] * x[o + i]; }
  let inv = inverseSqrt(ss / f32(p.d) + p.eps);
  var z: array<f32, E>;
  for (var c = 0u; c < E; c++) { z[c] = 0.0; }
  for (var i = 0u; i < p.d; i++) {
    let h = x[o + i] * inv * norm[i];
    for (var c = 0u; c < E; c++) { z[c] += h * head[i * E + c]; }
  }
  var top = -3.0e38;
  for (var c = 0u; c < E; c++) { z[c] += headBias[c]; top = max(top, z[c]); }
  var sum = 0.0;
  for (var c = 0u; c < E; c++) { z[c] = exp(z[c] - top); sum += z[c]; }
  for (var c = 0u; c < E; c++) { z[c] = z[c] / sum; emotions[r * E + c] = z[c]; }
  for (var i = 0u; i < p.d; i++) {
    var add = 0.0;
    for (var c = 0u; c < E; c++) { add += z[c] * proj[c * p.d + i]; }
    x[o + i] += add;
  }
}`;
}

export interface EmotionBuffers {
  norm: GPUBuffer;
  head: GPUBuffer;
  headBias: GPUBuffer;
  proj: GPUBuffer;
}

export function emotionHead(rt: GpuRuntime, pass: Pass, x: GPUBuffer, w: EmotionBuffers, emotions: GPUBuffer, R: number, d: number, E: number, eps: number): void {
  pass.dispatch(rt.pipeline(shader(E), 'emotion head'), [R, d, f32bits(eps)], [x, w.norm, w.head, w.headBias, w.proj, emotions], Math.ceil(R / 64));
}
