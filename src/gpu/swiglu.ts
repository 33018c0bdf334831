/** SwiGLU gating: y[r, i] = silu(g) · u with g = gateUp[r, i], u = gateUp[r, F + i] (gate | up columns). */
import type { GpuRuntime, Pass } from './runtime.js';

const SHADER = /* wgsl */ `
struct P { R: u32, F: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> gu: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let r = gid.y;
  if (i >= p.F || r >= p.R) { return; }
  let g = gu[r * 2u * p.F + i];
  y[r * p.F + i] = g / (1.0 + exp(-g)) * gu[r * 2u * p.F + p.F + i];
}`;

export function swiglu(rt: GpuRuntime, pass: Pass, gateUp: GPUBuffer, y: GPUBuffer, R: number, F: number): void {
  pass.dispatch(rt.pipeline(SHADER, 'swiglu'), [R, F], [gateUp, y], Math.ceil(F / 64), R);
}
