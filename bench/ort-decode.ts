/**
 * Batch-1 speed of the scratch model on onnxruntime (engine=ort): fp32 weights with the standard-
 * operator graph (ops=standard, the reference) and with onnxruntime's fused attention kernels (the
 * default), int8 weights, and tfjs: decode tokens/s (median and best of 5, the engines taking
 * turns) and prefill tokens/s at 128 and 512 prompt tokens (best of 2). Random weights from seed 0.
 *
 *   node --import tsx bench/ort-decode.ts [--config paper|small] [--new 64] [--prompt-tokens 16] [--threads 2] [--no-tfjs]
 *
 * Exported graphs are cached (EMOBENCH_ONNX_CACHE, default $TMPDIR/emobench-onnx): the first run
 * also reports export time. The load average is printed before and after, since other processes
 * on the cores slow every figure.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CONFIGS, countParams, type ConfigName } from '../src/scratch/config.js';
import type { GenerateOptions, Generation } from '../src/scratch/generate.js';
import { ScratchModel } from '../src/scratch/scratch-model.js';
import { Tokenizer } from '../src/scratch/tokenizer.js';
import { initWeights } from '../src/scratch/weights.js';
import { textOfTokens } from '../src/models/scratch.js';
import type { AttentionOps, WeightFormat } from '../src/onnx/export.js';
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

const engines: { label: string; engine: Engine; decode: number[]; prefill: number[][]; dispose(): unknown }[] = [];
const weights = initWeights(cfg, 0);
const variants: [WeightFormat, AttentionOps][] = [['fp32', 'standard'], ['fp32', 'ort'], ['int8', 'ort']];
for (const [format, ops] of variants) {
  const t0 = performance.now();
  const engine = await OrtScratchEngine.create(cfg, weights, tokenizer, { bias: true, kv: 'fp32', weights: format, ops });
  const ready = performance.now() - t0;
  const info = engine.info().engine;
  const label = `ort ${format} ops=${ops}`;
  console.log(`${label}: ${info.device}, onnxruntime ${info.ortVersion}; ${(engine.weightBytes() / 1e6).toFixed(0)} MB graph; export or cache + session ${(ready / 1000).toFixed(1)} s`);
  engines.push({ label, engine, decode: [], prefill: prefillLengths.map(() => []), dispose: () => engine.dispose() });
}
if (!values['no-tfjs']) {
  const model = await ScratchModel.random(cfg, 0, tokenizer);
  console.log(`tfjs: ${model.info().engine.backend}, ${model.info().engine.device}`);
  engines.push({ label: 'tfjs fp32', engine: model, decode: [], prefill: prefillLengths.map(() => []), dispose: () => model.dispose() });
}

// Round by round, every engine once per round: this machine's memory bandwidth drifts (16–30 GB/s
// measured between runs), and interleaving gives each engine the same share of good and bad moments.
for (const e of engines) await e.engine.generate(prompt, { maxNewTokens: 4 }); // warm-up: first runs allocate
for (let round = 0; round < 5; round++) {
  for (const e of engines) {
    const g = await e.engine.generate(prompt, { maxNewTokens, ignoreEos: true });
    e.decode.push(g.timing.decodeMs / g.timing.decodeSteps);
    if (round >= 2) continue; // prefill: best of 2
    for (const [i, n] of prefillLengths.entries()) e.prefill[i]!.push((await e.engine.generate(textOfTokens(tokenizer, n, 1), { maxNewTokens: 0 })).timing.prefillMs);
  }
}
for (const e of engines) {
  const ms = [...e.decode].sort((a, b) => a - b);
  const [median, best] = [ms[ms.length >> 1]!, ms[0]!];
  const prefill = prefillLengths.map((n, i) => `${n}: ${((1000 * n) / Math.min(...e.prefill[i]!)).toFixed(0)} tok/s`);
  console.log(`${e.label.padEnd(20)} decode median ${(1000 / median).toFixed(1).padStart(5)} tokens/s (${median.toFixed(2)} ms/token), best ${(1000 / best).toFixed(1).padStart(5)}; prefill ${prefill.join(', ')}`);
  await e.dispose();
}
console.log(`prompt ${Number(values['prompt-tokens'])} tokens, ${maxNewTokens} new; load average after: ${load()}`);
