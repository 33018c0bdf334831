/**
 * y [M×N] (+)= x [M×K] · W [K×N], W in fp32, f16 or int8 with one scale per output column.
 *
 * Register tiling: each invocation owns a tile of TM rows × 4 columns, held in TM vec4 registers,
 * and walks K reading one vec4 of W (4 adjacent columns) and TM scalars of x per step — no
 * workgroup memory and no barriers (lavapipe runs barriers slowly; a GPU hides the reuse in cache).
 * W is stored with its columns padded to a multiple of 4, so every load is a whole vec4:
 *   fp32: array<vec4<f32>>          [K × N4/4]
 *   f16:  array<vec2<u32>>          4 halves per element, unpack2x16float (core WGSL, no shader-f16)
 *   int8: array<u32>                4 int8 per word, extractBits sign-extends; then × scale[column]
 * `accumulate` adds into y: the residual adds of the blocks (x += attention·Wo, x += mlp·Wdown)
 * and the emotion feedback are this epilogue rather than a pass of their own.
 */
import { f16Encode } from '../scratch/safetensors.js';
import { quantiseColumns } from '../onnx/export.js';
import type { GpuAllocator } from './allocator.js';
import type { GpuRuntime, Pass } from './runtime.js';

export type GpuWeightFormat = 'fp32' | 'f16' | 'int8';

export interface GpuMatrix {
  K: number;
  N: number;
  format: GpuWeightFormat;
  data: GPUBuffer;
  /** int8: [N4] float32 column scales (zero in the padding). */
  scale?: GPUBuffer;
  bytes: number;
}

/** W [K×N] row-major with its columns padded to a multiple of 4 (zeros). */
export function padColumns(W: Float32Array, K: number, N: number): { data: Float32Array; N4: number } {
  const N4 = Math.ceil(N / 4) * 4;
  if (N4 === N) return { data: W, N4 };
  const data = new Float32Array(K * N4);
  for (let k = 0; k < K; k++) data.set(W.subarray(k * N, (k + 1) * N), k * N4);
  return { data, N4 };
}

/** The bytes of W as the shader reads them (and the column scales for int8). */
export function packMatrix(W: Float32Array, K: number, N: number, format: GpuWeightFormat): { data: ArrayBufferView; scale?: Float32Array } {
  const { data, N4 } = padColumns(W, K, N);
  if (format === 'fp32') return { data };
  if (format === 'f16') return { data: f16Encode(data) };
  const { q, scale } = quantiseColumns(data, K, N4);
  return { data: q, scale };
}

export function uploadMatrix(alloc: GpuAllocator, W: Float32Array, K: number, N: number, format: GpuWeightFormat, label: string): GpuMatrix {
  const packed = packMatrix(W, K, N, format);
  const data = alloc.upload('weights', packed.data, label);
  const scale = packed.scale === undefined ? undefined : alloc.upload('weights', packed.scale, `${label}.scale`);
  return { K, N, format, data, ...(scale ? { scale } : {}), bytes: data.size + (scale?.size ?? 0) };
}

function shader(format: GpuWeightFormat, TM: number, accumulate: boolean): string {
  const wType = { fp32: 'vec4<f32>', f16: 'vec2<u32>', int8: 'u32' }[format];
  const load = {
    fp32: 'w[i]',
    f16: 'vec4<f32>(unpack2x16float(w[i].x), unpack2x16float(w[i].y))',
    int8: 'vec4<f32>(vec4<i32>(extractBits(bitcast<i32>(w[i]), 0u, 8u), extractBits(bitcast<i32>(w[i]), 8u, 8u), extractBits(bitcast<i32>(w[i]), 16u, 8u), extractBits(bitcast<i32>(w[i]), 24u, 8u)))',
  }[format];
  const rows = [...Array(TM).keys()];
  return /* wgsl */ `
struct P { M: u32, K: u32, N: u32, C4: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<${wType}>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
${format === 'int8' ? '@group(0) @binding(4) var<storage, read> scale: array<vec4<f32>>;' : ''}

fn loadW(i: u32) -> vec4<f32> { return ${load}; }

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c4 = gid.x;
  let r0 = gid.y * ${TM}u;
  if (c4 >= p.C4 || r0 >= p.M) { return; }
  // Rows past M read row M-1 (in bounds) and are not written.
${rows.map((i) => `  let x${i} = min(r0 + ${i}u, p.M - 1u) * p.K;\n  var a${i} = vec4<f32>(0.0);`).join('\n')}
  for (var k = 0u; k < p.K; k++) {
    let wk = loadW(k * p.C4 + c4);
${rows.map((i) => `    a${i} += x[x${i} + k] * wk;`).join('\n')}
  }
  let s = ${format === 'int8' ? 'scale[c4]' : 'vec4<f32>(1.0)'};
${rows
  .map(
    (i) => `  if (r0 + ${i}u < p.M) {
    let o = (r0 + ${i}u) * p.N + c4 * 4u;
    let v = a${i} * s;
    for (var j = 0u; j < 4u; j++) {
      if (c4 * 4u + j < p.N) { y[o + j] = ${accumulate ? 'y[o + j] + ' : ''}v[j]; }
    }
  }`,
  )
  .join('\n')}
}`;
}

/** Rows per invocation: 4 when there are enough rows to share each W load, else 1 (decode). */
function rowsPerInvocation(M: number): number {
  return M >= 4 ? 4 : 1;
}

/** Records y (+)= x · W for M rows. */
export function matmul(rt: GpuRuntime, pass: Pass, x: GPUBuffer, W: GpuMatrix, y: GPUBuffer, M: number, opts: { accumulate?: boolean } = {}): void {
  const TM = rowsPerInvocation(M);
  const accumulate = opts.accumulate ?? false;
  const pipeline = rt.pipeline(shader(W.format, TM, accumulate), `matmul ${W.format} ${TM}${accumulate ? ' +=' : ''}`);
  const C4 = Math.ceil(W.N / 4);
  pass.dispatch(pipeline, [M, W.K, W.N, C4], W.scale ? [x, W.data, y, W.scale] : [x, W.data, y], Math.ceil(C4 / 64), Math.ceil(M / TM));
}
