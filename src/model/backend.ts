/**
 * The TensorFlow.js engine, initialised once per process.
 *
 * Preference: @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node (native libtensorflow; used only
 * when installed), then the wasm backend (the default here), then the pure-JS cpu backend if wasm
 * fails to start. EMOBENCH_TF_BACKEND=wasm|cpu|tensorflow forces a choice.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { registerGradients } from './gradients.js';

export interface EngineInfo {
  engine: 'tfjs';
  /** tfjs backend name: 'tensorflow' (tfjs-node), 'wasm' or 'cpu'. */
  backend: string;
  /** Where the arithmetic runs, in words. */
  device: string;
  tfjsVersion: string;
  /** Why a preferred backend was skipped, for the run metadata. */
  notes: string[];
}

let ready: Promise<EngineInfo> | undefined;

export function initEngine(): Promise<EngineInfo> {
  ready ??= pickBackend();
  return ready;
}

async function pickBackend(): Promise<EngineInfo> {
  registerGradients();
  const forced = process.env.EMOBENCH_TF_BACKEND;
  const notes: string[] = [];
  const info = (backend: string, device: string): EngineInfo => ({ engine: 'tfjs', backend, device, tfjsVersion: tf.version_core, notes });

  if (forced === undefined || forced === 'tensorflow') {
    for (const [pkg, device] of [['@tensorflow/tfjs-node-gpu', 'gpu (libtensorflow CUDA)'], ['@tensorflow/tfjs-node', 'cpu (libtensorflow)']] as const) {
      try {
        // A variable specifier keeps TypeScript from requiring the (optional) package at build time.
        const name: string = pkg;
        await import(name);
        // The package must have registered into *this* copy of tfjs-core to be usable.
        if (tf.findBackend('tensorflow') !== null && (await tf.setBackend('tensorflow'))) {
          await tf.ready();
          return info('tensorflow', device);
        }
        notes.push(`${pkg} loaded but registered no 'tensorflow' backend with this tfjs-core`);
      } catch (e) {
        notes.push(`${pkg} not available: ${firstLine(e)}`);
      }
    }
  }
  if (forced === undefined || forced === 'wasm') {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        materialiseTransposedMatMuls('wasm');
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
        return info('wasm', `cpu (wasm${simd ? ' simd' : ''}, ${threads ? 'multi-threaded' : 'single thread'})`);
      }
      notes.push('wasm backend failed to initialise');
    } catch (e) {
      notes.push(`wasm backend failed: ${firstLine(e)}`);
    }
  }
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  await tf.ready();
  return info('cpu', 'cpu (pure JavaScript)');
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0] ?? '';
}

/**
 * The wasm BatchMatMul is 10–40× slower with transposeA/transposeB than on plain layouts, and
 * backprop asks for exactly those (dA = dY·Bᵀ, dB = Aᵀ·dY), as does QKᵀ. Re-register the kernel so
 * it transposes the operand explicitly (a cheap copy) and then runs the fast untransposed path.
 */
function materialiseTransposedMatMuls(backendName: string): void {
  const original = tf.getKernel('BatchMatMul', backendName);
  const transpose = tf.getKernel('Transpose', backendName);
  if (original === undefined || transpose === undefined) return;
  const matMul = original.kernelFunc;

  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = args.attrs as NamedAttrMap & { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return matMul(args);
    const temporaries: TensorInfo[] = [];
    const swapLastTwo = (x: TensorInfo): TensorInfo => {
      const r = x.shape.length;
      const perm = [...Array(r - 2).keys(), r - 1, r - 2];
      const t = transpose.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { perm } }) as TensorInfo;
      temporaries.push(t);
      return t;
    };
    const inputs = { a: attrs.transposeA ? swapLastTwo(a) : a, b: attrs.transposeB ? swapLastTwo(b) : b };
    const out = matMul({ inputs, backend: args.backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    for (const t of temporaries) (args.backend as tf.KernelBackend).disposeData(t.dataId);
    return out;
  };

  tf.unregisterKernel('BatchMatMul', backendName);
  const config: KernelConfig = { ...original, kernelFunc };
  tf.registerKernel(config);
}
