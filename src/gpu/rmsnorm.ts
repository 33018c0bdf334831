/**
 * RMSNorm: y[r] = x[r] / √(mean(x[r]²) + ε) ⊙ gain. One invocation per row: a row is at most a few
 * thousand values, and a workgroup reduction would need barriers (slow on lavapipe) for little gain.
 */
import { f32bits, type GpuRuntime, type Pass } from './runtime.js';

const SHADER = /* wgsl */ `
struct P { R: u32, d: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gain: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= p.R) { return; }
  let o = r * p.d;
  var ss = 0.0;
  for (var i = 0u; i < p.d; i++) { ss += x[o + i] * x[o + i]; }
  let inv = inverseSqrt(ss / f32(p.d) + p.eps);
  for (var i = 0u; i < p.d; i++) { y[o + i] = x[o + i] * inv * gain[i]; }
}`;

export function rmsNorm(rt: GpuRuntime, pass: Pass, x: GPUBuffer, gain: GPUBuffer, y: GPUBuffer, R: number, d: number, eps: number): void {
  pass.dispatch(rt.pipeline(SHADER, 'rmsnorm'), [R, d, f32bits(eps)], [x, gain, y], Math.ceil(R / 64));
}
