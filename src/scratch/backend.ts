/**
 * The TensorFlow.js engine, initialised once per process.
 *
 * Preference: @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node (native libtensorflow; used only
 * when installed), then the wasm backend (the default here), then the pure-JS cpu backend if wasm
 * fails to start. EMOBENCH_TF_BACKEND=wasm|cpu|tensorflow forces a choice; EMOBENCH_TF_THREADS sets
 * the wasm backend's threads (default: all cores; 1 = its single-threaded build).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { sha256 } from '../util/hash.js';
import { firstLine } from '../util/text.js';
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
    const threads = wasmThreads(); // a bad value is the user's error, not a reason to fall back
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const restore = threads > 1 ? enableWasmThreads(wasm, threads, notes) : () => undefined;
      let ok: boolean;
      try {
        ok = await tf.setBackend('wasm');
      } finally {
        restore();
      }
      if (ok) {
        await tf.ready();
        releaseWasmWorkers();
        materialiseTransposedMatMuls('wasm');
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        const running = wasm.getThreadsCount();
        return info('wasm', `cpu (wasm${simd ? ' simd' : ''}, ${running === 1 ? 'single thread' : `${running} threads`})`);
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

function wasmThreads(): number {
  const raw = process.env.EMOBENCH_TF_THREADS;
  if (raw === undefined) return os.availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`EMOBENCH_TF_THREADS must be a positive integer, got "${raw}"`);
  return n;
}

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');

/** How the threaded build's pthread worker loads the module's JS: from a Blob URL Node cannot read. */
const WORKER_IMPORT = 'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';

/**
 * tfjs-backend-wasm ships a multi-threaded build (XNNPACK on a pthread pool) but never selects it
 * under Node (tfjs issue #3830): its threaded-support flag says no there, and its pthread workers
 * are started from blob: URLs, which Node's workers cannot load. Single-threaded, a `scratch@paper`
 * decode step spends ~27 ms in its matMuls; with 2 threads ~17 ms (measured). Three shims, each
 * undone or harmless if the build changes:
 *   - the worker script is written to a file that loads the module's JS by path;
 *   - the flag is set, and URL.createObjectURL hands out that file for the worker's Blob;
 *   - os.cpus() reports twice the cores while the module starts: it sizes its pool as cores ÷ 2,
 *     assuming two hardware threads per core, which is 1 on a 2-core machine.
 * Returns the function that undoes the last two; when the worker script is not the one expected,
 * nothing is changed and the note says why.
 */
function enableWasmThreads(wasm: WasmModule, threads: number, notes: string[]): () => void {
  const require = createRequire(import.meta.url);
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as { wasmWorkerContents: string };
  if (!wasmWorkerContents.includes(WORKER_IMPORT)) {
    notes.push('wasm threads: this tfjs-backend-wasm version loads its pthread workers differently; running single-threaded');
    return () => undefined;
  }
  const factory = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  // As tfjs does before putting the script in a Blob: its escaped newlines must stay escaped.
  const script = wasmWorkerContents.replace(/\n/g, '\\n').replace(WORKER_IMPORT, `importScripts(${JSON.stringify(factory)});`);
  const file = join(os.tmpdir(), `emobench-tfjs-wasm-worker-${sha256(script).slice(0, 16)}.cjs`);
  if (!existsSync(file)) writeFileAtomic(file, script);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  const { createObjectURL } = URL;
  const { cpus } = os;
  URL.createObjectURL = (blob: Blob) => (blob.type === 'application/javascript' ? file : createObjectURL(blob));
  (os as { cpus: typeof os.cpus }).cpus = () => [...cpus(), ...cpus()];
  return () => {
    URL.createObjectURL = createObjectURL;
    (os as { cpus: typeof os.cpus }).cpus = cpus;
  };
}

/**
 * The pool's pthreads are Node workers that would keep the process alive after its work is done;
 * unref'd, they end with it.
 */
function releaseWasmWorkers(): void {
  const pthreads = (tf.backend() as unknown as { wasm?: { PThread?: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] } } }).wasm?.PThread;
  if (pthreads === undefined) return;
  for (const worker of [...pthreads.runningWorkers, ...pthreads.unusedWorkers]) worker.unref();
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
