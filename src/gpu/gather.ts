/**
 * Row gather: y[r, :] = table[ids[r], :]. The token embedding (ids are token ids), and picking each
 * batch row's last position out of the residual stream before the LM head (ids are row indices).
 */
import type { GpuRuntime, Pass } from './runtime.js';

const SHADER = /* wgsl */ `
struct P { R: u32, d: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<u32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let r = gid.y;
  if (i >= p.d || r >= p.R) { return; }
  y[r * p.d + i] = table[ids[r] * p.d + i];
}`;

/** y [R×d] ← rows ids[0…R) of table [·×d]. */
export function gatherRows(rt: GpuRuntime, pass: Pass, table: GPUBuffer, ids: GPUBuffer, y: GPUBuffer, R: number, d: number): void {
  pass.dispatch(rt.pipeline(SHADER, 'gather'), [R, d], [table, ids, y], Math.ceil(d / 64), R);
}
