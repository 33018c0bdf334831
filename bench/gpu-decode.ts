/**
 * engine=webgpu speed: decode tokens/s at batch 1 and batched, prefill tokens/s, and the fraction of
 * the weight-streaming roofline reached when a bandwidth is given. On lavapipe (software) these
 * figures show the kernels run, not GPU speed; every row says which adapter it came from.
 *
 *   node --import tsx bench/gpu-decode.ts [--config paper|small|tiny] [--kv fp32,int8] [--batch 1,8]
 *       [--new 32] [--prompt-tokens 128] [--weights fp32] [--bandwidth-gbs 4800] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GpuScratchEngine } from '../src/gpu/engine.js';
import { textOfTokens } from '../src/models/scratch.js';
import { CONFIGS, type ConfigName } from '../src/scratch/config.js';
import type { KvDtype } from '../src/scratch/kv-cache.js';
import { Tokenizer } from '../src/scratch/tokenizer.js';
import { initWeights } from '../src/scratch/weights.js';
import type { GpuWeightFormat } from '../src/gpu/matmul.js';
import { best } from './best.js';

export interface GpuBenchRow {
  name: string;
  value: number;
  unit: string;
  device: string;
  software: boolean;
  reference?: string;
  ratio?: number;
}

export interface GpuBenchOptions {
  config: ConfigName;
  kv: KvDtype[];
  batch: number[];
  newTokens: number;
  promptTokens: number;
  weights: GpuWeightFormat;
  /** The GPU's memory bandwidth in GB/s, for the roofline (weights read once per decode step). */
  bandwidthGBs?: number;
}

export async function gpuBench(o: GpuBenchOptions, log: (line: string) => void = () => {}): Promise<GpuBenchRow[]> {
  const cfg = CONFIGS[o.config];
  const weights = initWeights(cfg, 0);
  const tokenizer = new Tokenizer([]);
  const rows: GpuBenchRow[] = [];
  for (const kv of o.kv) {
    const e = await GpuScratchEngine.create(cfg, weights, tokenizer, { kv, bias: true, weights: o.weights });
    const { device, adapter } = e.info().engine;
    const tag = adapter.software ? ' (lavapipe: correctness, not speed)' : '';
    const add = (name: string, value: number, unit: string, reference?: { label: string; value: number }) => {
      rows.push({ name: `${name}${tag}`, value, unit, device, software: adapter.software, ...(reference ? { reference: reference.label, ratio: value / reference.value } : {}) });
      log(`${name}${tag}: ${value.toFixed(2)} ${unit}${reference ? ` (${((100 * value) / reference.value).toFixed(1)}% of ${reference.label})` : ''}`);
    };
    const roofline = o.bandwidthGBs === undefined ? undefined : { label: `roofline (${o.bandwidthGBs} GB/s ÷ ${(e.weightBytes() / 1e6).toFixed(0)} MB of weights)`, value: (o.bandwidthGBs * 1e9) / e.weightBytes() };
    for (const batch of o.batch) {
      const prompts = Array.from({ length: batch }, (_, b) => textOfTokens(tokenizer, o.promptTokens, 1 + b));
      await e.generateBatch(prompts, { maxNewTokens: 2, ignoreEos: true });
      const g = await best(2, () => e.generateBatch(prompts, { maxNewTokens: o.newTokens, ignoreEos: true }), (x) => x[0]!.timing.decodeSteps / x[0]!.timing.decodeMs);
      const t = g[0]!.timing;
      // A batch's step reads the weights once for every row: the roofline scales with the batch.
      add(`webgpu decode batch ${batch}, ${o.config}, kv ${kv}, weights ${o.weights}, ${o.promptTokens}-token prompt`, (1000 * batch * t.decodeSteps) / t.decodeMs, 'tokens/s', roofline && { label: roofline.label, value: roofline.value * batch });
      if (batch === 1) add(`webgpu prefill ${o.promptTokens} tokens, ${o.config}, kv ${kv}`, (1000 * o.promptTokens) / t.prefillMs, 'tokens/s');
    }
    e.dispose();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: 'paper' },
      kv: { type: 'string', default: 'fp32,int8' },
      batch: { type: 'string', default: '1,8' },
      new: { type: 'string', default: '32' },
      'prompt-tokens': { type: 'string', default: '128' },
      weights: { type: 'string', default: 'fp32' },
      'bandwidth-gbs': { type: 'string' },
      json: { type: 'string' },
    },
  });
  const rows = await gpuBench(
    {
      config: values.config as ConfigName,
      kv: values.kv.split(',') as KvDtype[],
      batch: values.batch.split(',').map(Number),
      newTokens: Number(values.new),
      promptTokens: Number(values['prompt-tokens']),
      weights: values.weights as GpuWeightFormat,
      ...(values['bandwidth-gbs'] ? { bandwidthGBs: Number(values['bandwidth-gbs']) } : {}),
    },
    (line) => console.error(line),
  );
  if (values.json) writeFileSync(values.json, `${JSON.stringify(rows, null, 2)}\n`);
  console.log(['| figure | value | reference | ratio |', '| --- | ---: | --- | ---: |', ...rows.map((r) => `| ${r.name} | ${r.value.toFixed(2)} ${r.unit} | ${r.reference ?? ''} | ${r.ratio === undefined ? '' : `${(100 * r.ratio).toFixed(1)}%`} |`)].join('\n'));
}
