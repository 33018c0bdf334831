/**
 * Batch-1 speed of the scratch model on onnxruntime (engine=ort) with fp32 and int8 weights, next
 * to tfjs: decode tokens/s (best of 3) and prefill tokens/s at 128 and 512 prompt tokens (best of 2).
 * Random weights from seed 0.
 *
 *   node --import tsx bench/ort-decode.ts [--config paper|small] [--new 64] [--prompt-tokens 16] [--threads 2] [--no-tfjs]
 *
 * Exported graphs are cached (EMOBENCH_ONNX_CACHE, default $TMPDIR/emobench-onnx): the first run
 * also reports export time. The load average is printed before and after, since other processes
 * on the cores slow every figure.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CONFIGS, countParams, type ConfigName } from '../src/model/config.js';
import type { GenerateOptions, Generation } from '../src/model/generate.js';
import { ScratchModel } from '../src/model/scratch-model.js';
import { Tokenizer } from '../src/model/tokenizer.js';
import { initWeights } from '../src/model/weights.js';
import { textOfTokens } from '../src/models/scratch.js';
import type { WeightFormat } from '../src/onnx/export.js';
import { OrtScratchEngine } from '../src/onnx/ort-engine.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'paper' },
    new: { type: 'string', default: '64' },
    'prompt-tokens': { type: 'string', default: '16' },
    threads: { type: 'string', default: '2' },
    'no-tfjs': { type: 'boolean', default: false },
  },
});
const name = values.config as ConfigName;
const cfg = CONFIGS[name];
if (cfg === undefined) throw new Error(`unknown config ${name} (paper, small, tiny)`);
process.env.EMOBENCH_ORT_THREADS = values.threads;
const maxNewTokens = Number(values.new);
const tokenizer = new Tokenizer([]);
const prompt = textOfTokens(tokenizer, Number(values['prompt-tokens']), 0);
const prefillLengths = [128, 512].filter((n) => n < cfg.maxSeq);

interface Engine {
  generate(prompt: string, opts: GenerateOptions): Promise<Generation>;
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`${name}: ${(countParams(cfg) / 1e6).toFixed(2)}M params; load average ${load()}`);

async function measure(label: string, engine: Engine): Promise<void> {
  await engine.generate(prompt, { maxNewTokens: 4 }); // warm-up: first runs allocate
  let best: Generation | undefined;
  for (let r = 0; r < 3; r++) {
    const g = await engine.generate(prompt, { maxNewTokens, ignoreEos: true });
    if (best === undefined || g.timing.decodeMs / g.timing.decodeSteps < best.timing.decodeMs / best.timing.decodeSteps) best = g;
  }
  const { decodeMs, decodeSteps } = best!.timing;
  const prefill = [];
  for (const n of prefillLengths) {
    const text = textOfTokens(tokenizer, n, 1);
    let ms = Infinity;
    for (let r = 0; r < 2; r++) ms = Math.min(ms, (await engine.generate(text, { maxNewTokens: 0 })).timing.prefillMs);
    prefill.push(`${n}: ${((n / ms) * 1000).toFixed(0)} tok/s`);
  }
  console.log(`${label.padEnd(18)} decode ${((decodeSteps / decodeMs) * 1000).toFixed(1).padStart(6)} tokens/s (${(decodeMs / decodeSteps).toFixed(2)} ms/token, prompt ${best!.promptIds.length})   prefill ${prefill.join(', ')}`);
}

const weights = initWeights(cfg, 0);
for (const format of ['fp32', 'int8'] as WeightFormat[]) {
  const t0 = performance.now();
  const engine = await OrtScratchEngine.create(cfg, weights, tokenizer, { bias: true, kv: 'fp32', weights: format });
  const ready = performance.now() - t0;
  const info = engine.info().engine;
  console.log(`ort ${format}: ${info.device}, onnxruntime ${info.ortVersion}; ${(engine.weightBytes() / 1e6).toFixed(0)} MB graph; export or cache + session ${(ready / 1000).toFixed(1)} s`);
  await measure(`ort ${format}`, engine);
  await engine.dispose();
}

if (!values['no-tfjs']) {
  const model = await ScratchModel.random(cfg, 0, tokenizer);
  console.log(`tfjs: ${model.info().engine.backend}, ${model.info().engine.device}`);
  await measure('tfjs fp32', model);
  model.dispose();
}
console.log(`load average after: ${load()}`);
