/**
 * Batch-1 decode speed of the scratch model on the tfjs engine, random weights.
 *
 *   node --import tsx bench/model-decode.ts [--config paper|small] [--kv fp32|fp16|int8] [--new 64] [--prompt-tokens 16]
 *
 * Prints prefill time, decode tokens/s (best of 3 runs), and how much of a decode step the big
 * matMuls take (timed alone with the same shapes, best of 10), so the rest is JS attention/norms/glue.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { CONFIGS, countParams, type ConfigName } from '../src/scratch/config.js';
import type { KvDtype } from '../src/scratch/kv-cache.js';
import { ScratchModel } from '../src/scratch/scratch-model.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'paper' },
    kv: { type: 'string', default: 'fp32' },
    new: { type: 'string', default: '64' },
    'prompt-tokens': { type: 'string', default: '16' },
  },
});
const name = values.config as ConfigName;
const cfg = CONFIGS[name];
if (cfg === undefined) throw new Error(`unknown config ${name} (paper, small, tiny)`);
const maxNewTokens = Number(values.new);

const t0 = performance.now();
const model = await ScratchModel.random(cfg, 0, undefined, { kv: values.kv as KvDtype });
const info = model.info();
console.log(`${name}: ${(countParams(cfg) / 1e6).toFixed(2)}M params, ${info.engine.backend} — ${info.engine.device}; init ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// Byte-level tokenizer: one token per ASCII character.
const prompt = 'The weather today is'.padEnd(Number(values['prompt-tokens']) - 1, '.');
await model.generate(prompt, { maxNewTokens: 4 }); // warm-up (first wasm calls allocate)
// Best of 3: other processes on the 2 cores only ever make a run slower.
const runs = [];
for (let r = 0; r < 3; r++) runs.push(await model.generate(prompt, { maxNewTokens }));
const g = runs.reduce((a, b) => (b.timing.decodeMs / b.timing.decodeSteps < a.timing.decodeMs / a.timing.decodeSteps ? b : a));
const { prefillMs, decodeMs, decodeSteps } = g.timing;
const msPerToken = decodeMs / decodeSteps;
console.log(`prompt ${g.promptIds.length} tokens: prefill ${prefillMs.toFixed(1)} ms`);
console.log(`decode (best of 3): ${decodeSteps} steps in ${decodeMs.toFixed(0)} ms → ${(1000 / msPerToken).toFixed(1)} tokens/s (${msPerToken.toFixed(2)} ms/token, kv ${values.kv})`);

// The same matMuls a decode step runs, alone: what the weights' memory traffic costs.
const w = model.weights;
const mats = [...w.blocks.flatMap((b) => [b.wqkv, b.wo, b.wGateUp, b.wDown]), w.lmHead];
const inputs = mats.map((m) => tf.zeros([1, m.shape[0]!]));
const runMats = () =>
  mats.forEach((m, i) => {
    const y = tf.matMul(inputs[i]!, m);
    y.dataSync();
    y.dispose();
  });
runMats();
let matMs = Infinity;
for (let r = 0; r < 10; r++) {
  const t1 = performance.now();
  runMats();
  matMs = Math.min(matMs, performance.now() - t1);
}
console.log(`of which matMuls (${mats.length} per token, ${((countParams(cfg) - cfg.vocabSize * cfg.dModel) * 4 / 1e6).toFixed(0)} MB of fp32 weights read): ${matMs.toFixed(2)} ms (${((100 * matMs) / msPerToken).toFixed(0)}%)`);
console.log(`KV cache after the run: ${JSON.stringify(model.kvBytes()?.used)}`);
model.dispose();
