/**
 * `npm run bench`: the figures BENCHMARKS.md records, each next to the reference measured in the
 * same run (the memory-bandwidth roofline; decoding without the KV cache; a forward pass alone for
 * training). Writes
 * bench/results/latest.json and prints a markdown table.
 *
 *   npm run bench                      # everything (a few minutes on 2 cores)
 *   npm run bench -- --quick           # small config only, for a smoke run
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIGS, countParams, type ConfigName } from '../src/scratch/config.js';
import type { KvDtype } from '../src/scratch/kv-cache.js';
import { ScratchModel } from '../src/scratch/scratch-model.js';
import { forward, padBatch } from '../src/scratch/transformer.js';
import { createModel } from '../src/models/registry.js';
import { trainBpe } from '../src/scratch/tokenizer.js';
import { loadTrainingData, parseDataSpec } from '../src/train/data.js';
import { train } from '../src/train/loop.js';
import { textOfTokens } from '../src/models/scratch.js';
import { probeBandwidth } from '../src/throughput/bandwidth.js';
import { pkgPath } from '../src/util/paths.js';
import { best } from './best.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string', default: pkgPath('bench', 'results', 'latest.json') } } });
const configName: ConfigName = values.quick ? 'small' : 'paper';
const rows: { name: string; value: number; unit: string; reference?: string; ratio?: number }[] = [];
const add = (name: string, value: number, unit: string, reference?: { label: string; value: number }) => {
  rows.push({ name, value, unit, ...(reference ? { reference: reference.label, ratio: value / reference.value } : {}) });
  console.error(`${name}: ${value.toFixed(2)} ${unit}${reference ? `  (${((100 * value) / reference.value).toFixed(1)}% of ${reference.label})` : ''}`);
};

const bw = probeBandwidth();
add('memory bandwidth (memcpy, read + write)', bw.bytes_per_s / 1e9, 'GB/s');

const cfg = CONFIGS[configName];
const weightBytes = countParams(cfg) * 4;
const roofline = { label: `bandwidth roofline (${(weightBytes / 1e6).toFixed(0)} MB fp32 weights per token)`, value: bw.bytes_per_s / weightBytes };
add(`roofline decode, ${configName}`, roofline.value, 'tokens/s');

// int8 first: the fp32 pass ends with the long prefills, which grow the wasm heap for good.
for (const kv of ['int8', 'fp32'] as KvDtype[]) {
  const m = await ScratchModel.random(cfg, 0, undefined, { kv });
  const prompt = textOfTokens(m.tokenizer, 128, 1);
  await m.generate(prompt, { maxNewTokens: 4, ignoreEos: true });
  const g = await best(3, () => m.generate(prompt, { maxNewTokens: 32, ignoreEos: true }), (x) => x.timing.decodeSteps / x.timing.decodeMs);
  add(`tfjs decode batch 1, ${configName}, kv ${kv}, 128-token prompt`, (1000 * g.timing.decodeSteps) / g.timing.decodeMs, 'tokens/s', roofline);
  if (kv === 'fp32') {
    // Time per new token against context length, with the KV cache and by recomputing the whole
    // sequence (what generation without a cache costs).
    for (const ctx of [64, 256].filter((c) => c < cfg.maxSeq)) {
      const p = textOfTokens(m.tokenizer, ctx, 3);
      const cached = await best(2, () => m.generate(p, { maxNewTokens: 8, ignoreEos: true }), (x) => x.timing.decodeSteps / x.timing.decodeMs);
      const withCache = cached.timing.decodeMs / cached.timing.decodeSteps;
      const ids = m.tokenizer.encode(p, { bos: true });
      let without = Infinity;
      for (let r = 0; r < 2; r++) {
        const t0 = performance.now();
        const out = tf.tidy(() => forward(m.weights, m.config, padBatch([ids], m.tokenizer.pad), { bias: true, logits: 'last' }).logits!);
        out.dataSync();
        out.dispose();
        without = Math.min(without, performance.now() - t0);
      }
      add(`ms per token at context ${ctx}, with KV cache`, withCache, 'ms', { label: `full recompute (${without.toFixed(1)} ms)`, value: without });
    }
    // Last: a long prefill grows the wasm heap (it never shrinks; ~1.3 GB for paper at 1,024 tokens),
    // so the decode figures above are taken on the smaller heap.
    for (const n of [128, 512].filter((x) => x < cfg.maxSeq)) {
      const p = textOfTokens(m.tokenizer, n, 2);
      const pg = await best(3, () => m.generate(p, { maxNewTokens: 1, ignoreEos: true }), (x) => 1 / x.timing.prefillMs);
      add(`tfjs prefill ${n} tokens, ${configName}`, (1000 * n) / pg.timing.prefillMs, 'tokens/s');
    }
  }
  m.dispose();
}

// Training throughput of the shipped config on the project's emotion data, emotion head only and
// joint with the LM loss, next to a forward pass alone over the same batch shape (what backprop
// and the optimizer add on top).
{
  const tc = CONFIGS.small;
  const out = mkdtempSync(join(tmpdir(), 'emobench-bench-train-'));
  const texts = (await loadTrainingData([parseDataSpec('emotion')], [], 0)).train.map((e) => e.text);
  const m = await ScratchModel.random(tc, 0, trainBpe(texts, tc.vocabSize));
  const batch = padBatch(texts.slice(0, 32).map((t) => m.tokenizer.encode(t, { bos: true }).slice(-64)), m.tokenizer.pad);
  const fwd = (untilEmotion: boolean) => {
    const t0 = performance.now();
    for (let r = 0; r < 5; r++) tf.tidy(() => forward(m.weights, tc, batch, { bias: true, untilEmotion, logits: untilEmotion ? 'none' : 'all' }).emotions.dataSync());
    return (5 * batch.batch * batch.seqLen) / ((performance.now() - t0) / 1000);
  };
  const reference = { emotion: fwd(true), joint: fwd(false) };
  m.dispose();
  for (const [name, lmWeight] of [['emotion', 0], ['joint', 0.5]] as const) {
    const dir = join(out, name);
    const r = await train({
      configName: 'small', config: { ...tc, emotionReadout: 'mean' }, data: [parseDataSpec('emotion')], dev: [], out: dir, resume: false, augment: [], seed: 0,
      lr: 1e-3, minLrRatio: 0.1, warmupSteps: 5, epochs: 1, steps: 40, batchSize: 32, maxLen: 64, emotionWeight: 1, lmWeight,
      clipNorm: 1, weightDecay: 0.1, checkpointEvery: 1000, evalEvery: 0, logEvery: 10,
    });
    add(`training tokens/s, small, ${name === 'emotion' ? 'emotion head only (--lm-weight 0)' : 'joint LM + emotion (--lm-weight 0.5)'}`, r.tokensPerS, 'tokens/s', { label: `forward pass alone (${reference[name].toFixed(0)} tokens/s)`, value: reference[name] });
  }
  rmSync(out, { recursive: true, force: true });
}

// The harness itself: the emotion suite on the classical baseline, samples per second.
{
  const nb = await createModel('nb');
  const { loadDataset } = await import('../src/datasets/load.js');
  const d = await loadDataset(pkgPath('datasets', 'emotion', 'emotion.csv'), {});
  await nb.prepare!({ train: d.rows.filter((r) => r.split === 'train'), labels: ['joy', 'anger', 'sadness', 'surprise', 'neutral'], seed: 0 });
  const texts = d.rows.map((r) => r.text);
  const t0 = performance.now();
  await nb.classify!(texts, []);
  add('nb classify throughput', texts.length / ((performance.now() - t0) / 1000), 'samples/s');
}

// engine=webgpu beside tfjs: the same random weights on this repository's WGSL kernels, on whatever
// adapter the machine has (lavapipe rows are labelled: they show correctness, not speed). On the
// software adapter the paper config's decode is slow, so lavapipe runs 8 new tokens after 32.
{
  const { webgpuUnavailable } = await import('../src/gpu/device.js');
  const missing = await webgpuUnavailable();
  if (missing !== undefined) {
    console.error(`webgpu rows skipped: ${missing}`);
  } else {
    const { gpuBench } = await import('./gpu-decode.js');
    const { openGpu } = await import('../src/gpu/device.js');
    const probe = await openGpu();
    const software = probe.adapter.software;
    probe.close();
    const gpuRows = await gpuBench(
      { config: configName, kv: ['fp32', 'int8'], batch: software ? [1] : [1, 8], newTokens: software ? 8 : 32, promptTokens: software ? 32 : 128, weights: 'fp32' },
      (line) => console.error(line),
    );
    for (const r of gpuRows) rows.push({ name: r.name, value: r.value, unit: r.unit });
  }
}

const result = { machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version }, config: configName, date: new Date().toISOString(), rows };
mkdirSync(pkgPath('bench', 'results'), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`| figure | value | reference | ratio |\n| --- | ---: | --- | ---: |`);
for (const r of rows) console.log(`| ${r.name} | ${r.value.toFixed(2)} ${r.unit} | ${r.reference ?? ''} | ${r.ratio === undefined ? '' : `${(100 * r.ratio).toFixed(1)}%`} |`);
