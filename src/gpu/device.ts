/**
 * The WebGPU device: Dawn's Node bindings (npm `webgpu`) on whatever Vulkan driver the machine has —
 * a GPU's own, or Mesa's lavapipe (software) that scripts/install-lavapipe.sh unpacks. There is no
 * CPU fall-back: without an adapter, engine=webgpu is a UserError that says what to install.
 *
 * Dawn's instance (the object `create()` returns) must stay referenced while any device lives: if V8
 * collects it the process dies inside Dawn. It is held here, shared by every open device, and
 * dropped when the last one is closed — with it still held, or a device not destroyed, Node never exits.
 */
import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';

/** Where scripts/install-lavapipe.sh writes the lavapipe ICD file; used when VK_ICD_FILENAMES is unset. */
export const LAVAPIPE_ICD = '/opt/emobench-lavapipe/lvp_icd.json';
export const INSTALL_HINT = 'install a Vulkan driver: on Debian 12 without a GPU run `sudo bash scripts/install-lavapipe.sh` (Mesa 25 lavapipe, software); on a GPU machine its Vulkan driver and libvulkan1';

export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** lavapipe / llvmpipe, or any adapter that says it is software: right results, not GPU speed. */
  software: boolean;
}

export interface Gpu {
  device: GPUDevice;
  adapter: GpuAdapterInfo;
  /** Closes the device; the last close also lets go of Dawn's instance. */
  close(): void;
}

interface DawnModule {
  create(options: string[]): GPU;
  globals: object;
}

let dawn: { gpu: GPU; open: number } | undefined;

async function instance(): Promise<GPU> {
  if (dawn !== undefined) return dawn.gpu;
  if (process.env.VK_ICD_FILENAMES === undefined && process.env.VK_DRIVER_FILES === undefined && existsSync(LAVAPIPE_ICD)) {
    process.env.VK_ICD_FILENAMES = LAVAPIPE_ICD;
  }
  let mod: DawnModule;
  try {
    mod = (await import('webgpu')) as DawnModule;
  } catch (e) {
    throw new UserError(`engine=webgpu: the npm package webgpu (Dawn) does not load (${(e as Error).message}); run \`npm install\`, and ${INSTALL_HINT}`);
  }
  // GPUBufferUsage, GPUMapMode, … are globals in a browser; Dawn hands them over as an object.
  Object.assign(globalThis, mod.globals);
  dawn = { gpu: mod.create([]), open: 0 };
  return dawn.gpu;
}

function release(): void {
  if (dawn !== undefined && dawn.open === 0) dawn = undefined;
}

export function describeAdapter(info: GPUAdapterInfo): GpuAdapterInfo {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software: info.architecture === 'software' || /llvmpipe|lavapipe|swiftshader/.test(text),
  };
}

/** One-line description for logs and run metadata. */
export function adapterLine(a: GpuAdapterInfo): string {
  const name = [a.vendor, a.architecture, a.description || a.device].filter((s) => s !== '').join(' · ');
  return a.software ? `${name} (software: correctness, not speed)` : name;
}

/** A device with the adapter's own storage limits (the defaults allow 8 storage buffers and 128 MiB). */
export async function openGpu(): Promise<Gpu> {
  const gpu = await instance();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) {
    release();
    throw new UserError(`engine=webgpu: no WebGPU adapter (no Vulkan driver found); ${INSTALL_HINT}`);
  }
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
  dawn!.open++;
  let closed = false;
  return {
    device,
    adapter: describeAdapter(adapter.info),
    close() {
      if (closed) return;
      closed = true;
      device.destroy();
      dawn!.open--;
      release();
    },
  };
}

let openGpuOnce: Promise<undefined> | undefined;

/**
 * Why WebGPU cannot run here, or undefined when an adapter is found: what the tests print when they
 * skip. EMOBENCH_REQUIRE_WEBGPU=1 (set by CI) makes the caller fail instead.
 */
export async function webgpuUnavailable(): Promise<string | undefined> {
  try {
    openGpuOnce ??= openGpu().then((g) => (g.close(), undefined));
    await openGpuOnce;
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
