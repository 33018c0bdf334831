/**
 * Compute passes: pipelines compiled once per WGSL source, one uniform slot of parameters per
 * dispatch (all of a pass's parameters go up in one write), every dispatch of a forward in one
 * compute pass and one submit, and read-back through one mapped staging buffer.
 */
import type { GpuAllocator } from './allocator.js';

/** Uniform slots are 256 bytes apart: WebGPU's minUniformBufferOffsetAlignment. */
const SLOT_BYTES = 256;
const SLOT_WORDS = SLOT_BYTES / 4;

/** The u32 bit pattern of an f32, so float parameters travel in the same Uint32Array as integers. */
export function f32bits(x: number): number {
  F32[0] = x;
  return U32[0]!;
}
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

interface Dispatch {
  pipeline: GPUComputePipeline;
  buffers: GPUBuffer[];
  slot: number;
  groups: [number, number, number];
}

export class GpuRuntime {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private params: GPUBuffer | undefined;
  private paramSlots = 0;
  private staging: GPUBuffer | undefined;

  constructor(
    readonly device: GPUDevice,
    readonly alloc: GpuAllocator,
  ) {}

  pipeline(code: string, label: string): GPUComputePipeline {
    let p = this.pipelines.get(code);
    if (p === undefined) {
      const module = this.device.createShaderModule({ code, label });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label });
      this.pipelines.set(code, p);
    }
    return p;
  }

  pass(): Pass {
    return new Pass(this);
  }

  /** @internal The uniform buffer, grown to `slots` (only between passes). */
  paramBuffer(slots: number): GPUBuffer {
    if (this.params === undefined || this.paramSlots < slots) {
      this.alloc.destroy(this.params);
      this.paramSlots = Math.max(slots, 2 * this.paramSlots, 64);
      this.params = this.alloc.create('activations', this.paramSlots * SLOT_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'dispatch parameters');
    }
    return this.params;
  }

  /** @internal The read-back buffer, grown to `bytes`. */
  stagingBuffer(bytes: number): GPUBuffer {
    if (this.staging === undefined || this.staging.size < bytes) {
      this.alloc.destroy(this.staging);
      this.staging = this.alloc.create('staging', Math.max(bytes, 2 * (this.staging?.size ?? 0)), GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'staging');
    }
    return this.staging;
  }

  /** Pipelines hold no memory the allocator counts; buffers go with the allocator. */
  dispose(): void {
    this.alloc.destroy(this.params);
    this.alloc.destroy(this.staging);
    this.params = undefined;
    this.staging = undefined;
    this.pipelines.clear();
  }
}

/** Dispatches recorded in order, run by submit() as one compute pass. */
export class Pass {
  private readonly dispatches: Dispatch[] = [];
  private readonly words: number[] = [];

  constructor(private readonly rt: GpuRuntime) {}

  /**
   * Binding 0 of the shader is `var<uniform> p` (params, u32 words; floats through f32bits), then
   * bindings 1… are `buffers` in order. Each binding the shader declares must be used by it
   * (layout 'auto' drops unused ones).
   */
  dispatch(pipeline: GPUComputePipeline, params: readonly number[], buffers: GPUBuffer[], x: number, y = 1, z = 1): void {
    if (params.length > SLOT_WORDS) throw new Error(`dispatch: ${params.length} parameters, at most ${SLOT_WORDS}`);
    if (x === 0 || y === 0 || z === 0) return;
    const slot = this.dispatches.length;
    for (let i = 0; i < SLOT_WORDS; i++) this.words.push(params[i] ?? 0);
    this.dispatches.push({ pipeline, buffers, slot, groups: [x, y, z] });
  }

  /** Runs the pass, then copies `reads` back (float32 each) once the GPU is done. */
  async submit(reads: readonly { buffer: GPUBuffer; bytes: number; offset?: number }[] = []): Promise<Float32Array[]> {
    const { device } = this.rt;
    const params = this.rt.paramBuffer(Math.max(1, this.dispatches.length));
    device.queue.writeBuffer(params, 0, new Uint32Array(this.words));
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const d of this.dispatches) {
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: params, offset: d.slot * SLOT_BYTES, size: SLOT_BYTES } }];
      d.buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, device.createBindGroup({ layout: d.pipeline.getBindGroupLayout(0), entries }));
      pass.dispatchWorkgroups(...d.groups);
    }
    pass.end();
    const total = reads.reduce((n, r) => n + r.bytes, 0);
    const staging = total > 0 ? this.rt.stagingBuffer(total) : undefined;
    let at = 0;
    for (const r of reads) {
      encoder.copyBufferToBuffer(r.buffer, r.offset ?? 0, staging!, at, r.bytes);
      at += r.bytes;
    }
    device.queue.submit([encoder.finish()]);
    if (staging === undefined) {
      await device.queue.onSubmittedWorkDone();
      return [];
    }
    await staging.mapAsync(GPUMapMode.READ, 0, total);
    const all = new Float32Array(staging.getMappedRange(0, total).slice(0));
    staging.unmap();
    const out: Float32Array[] = [];
    at = 0;
    for (const r of reads) {
      out.push(all.subarray(at / 4, (at + r.bytes) / 4));
      at += r.bytes;
    }
    return out;
  }
}
