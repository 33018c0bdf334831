/**
 * RoPE in place on the q and k heads of the fused qkv rows ([R × (H + 2·Hkv)·hd]: q heads | k heads
 * | v heads, so the first H + Hkv heads rotate). Half-split pairs (i, i + hd/2), as src/scratch/rope.ts.
 * The cos/sin tables [R × hd/2] come from the CPU (ropeTables, float64 angles rounded to float32):
 * the angle pos·θ^(−2i/hd) in float32 on the GPU would lose ~1e-4 at long positions.
 */
import type { GpuRuntime, Pass } from './runtime.js';

const SHADER = /* wgsl */ `
struct P { R: u32, heads: u32, half: u32, width: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> qkv: array<f32>;
@group(0) @binding(2) var<storage, read> cosT: array<f32>;
@group(0) @binding(3) var<storage, read> sinT: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let hi = gid.x; // head · half + i
  let r = gid.y;
  if (hi >= p.heads * p.half || r >= p.R) { return; }
  let head = hi / p.half;
  let i = hi % p.half;
  let o = r * p.width + head * 2u * p.half + i;
  let c = cosT[r * p.half + i];
  let s = sinT[r * p.half + i];
  let x1 = qkv[o];
  let x2 = qkv[o + p.half];
  qkv[o] = x1 * c - x2 * s;
  qkv[o + p.half] = x1 * s + x2 * c;
}`;

/** Rotates the first `heads` heads of each of R rows of width `width`. */
export function rope(rt: GpuRuntime, pass: Pass, qkv: GPUBuffer, cos: GPUBuffer, sin: GPUBuffer, R: number, heads: number, headDim: number, width: number): void {
  const half = headDim / 2;
  pass.dispatch(rt.pipeline(SHADER, 'rope'), [R, heads, half, width], [qkv, cos, sin], Math.ceil((heads * half) / 64), R);
}
