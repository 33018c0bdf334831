/**
 * WebGPU test fixtures. Without an adapter the tests skip with a one-line reason that says how to
 * get one; CI sets EMOBENCH_REQUIRE_WEBGPU=1, which turns that skip into a failure.
 */
import { GpuAllocator } from '../../src/gpu/allocator.js';
import { openGpu, webgpuUnavailable, type Gpu } from '../../src/gpu/device.js';
import { GpuRuntime } from '../../src/gpu/runtime.js';
import { mulberry32 } from '../../src/util/rng.js';

const missing = await webgpuUnavailable();
if (missing !== undefined && process.env.EMOBENCH_REQUIRE_WEBGPU === '1') throw new Error(`EMOBENCH_REQUIRE_WEBGPU=1 but WebGPU is unavailable: ${missing}`);

/** false, or why the WebGPU tests are skipped. */
export const skipGpu: string | false = missing === undefined ? false : 'no WebGPU adapter: run `sudo bash scripts/install-lavapipe.sh` to enable these tests';

export interface GpuFixture {
  gpu: Gpu;
  alloc: GpuAllocator;
  rt: GpuRuntime;
  /** A storage buffer holding data (activations), readable back. */
  buffer(data: ArrayBufferView | number): GPUBuffer;
  read(buffer: GPUBuffer, floats: number): Promise<Float32Array>;
  close(): void;
}

export async function gpuFixture(): Promise<GpuFixture> {
  const gpu = await openGpu();
  const alloc = new GpuAllocator(gpu.device);
  const rt = new GpuRuntime(gpu.device, alloc);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  return {
    gpu,
    alloc,
    rt,
    buffer: (data) => (typeof data === 'number' ? alloc.create('activations', data * 4, usage, 'test') : alloc.upload('activations', data, 'test', GPUBufferUsage.COPY_SRC)),
    read: async (buffer, floats) => (await rt.pass().submit([{ buffer, bytes: floats * 4 }]))[0]!,
    close() {
      rt.dispose();
      alloc.destroyAll();
      gpu.close();
    },
  };
}

export function randn(n: number, seed: number, scale = 1): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
}

/** max |a − b| / max |b|: the relative error the kernel bounds are stated in. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let top = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    top = Math.max(top, Math.abs(b[i]!));
  }
  return diff / Math.max(top, 1e-30);
}
