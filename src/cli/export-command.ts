import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../errors.js';
import { loadScratchArrays, parseKv, parseOnOff, parseOps, parseWeightFormat, resolveScratchSource } from '../models/scratch.js';
import { checkOptions, parseModelSpec } from '../models/spec.js';
import { exportScratchOnnx, type ExportOptions } from '../onnx/export.js';
import { outputOptions, printResult } from './shared.js';

function builder(y: Argv) {
  return outputOptions(y, 'the files written and the export settings')
    .option('model', { type: 'string', demandOption: true, describe: 'a scratch spec: scratch, scratch:<dir>, scratch@paper|small|tiny; options bias=on|off, kv=fp32|fp16|int8 (cache tensors), weights=fp32|int8, ops=ort|standard (onnxruntime\'s fused attention kernels, or ONNX operators only), seed=N' })
    .option('out', { type: 'string', demandOption: true, describe: 'the .onnx file to write; tokenizer.json is written beside it' })
    .example('$0 export-onnx --model scratch:runs/small --out exports/small.onnx', 'the trained model, fp32')
    .example('$0 export-onnx --model "scratch@paper?weights=int8" --out paper-int8.onnx', 'int8 weights (MatMulInteger on dynamically quantised activations)')
    .example('$0 export-onnx --model "scratch?ops=standard" --out portable.onnx', 'standard ONNX operators only, for runtimes other than onnxruntime')
    .example('$0 eval --suite emotion --model onnx:exports/small.onnx', 'evaluate the export');
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

/**
 * `emobench export-onnx`: the scratch model as one ONNX graph for prefill and decode (inputs,
 * outputs and cache tensors are described in src/onnx/export.ts), loadable by onnxruntime and by
 * `onnx:<file>`.
 */
export const exportCommand: CommandModule<object, Parsed> = {
  command: 'export-onnx',
  describe: 'Export the scratch model to ONNX (KV cache as past/present tensors; tokenizer.json beside it)',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    const spec = parseModelSpec(a.model);
    if (spec.name !== 'scratch') throw new UserError(`--model "${a.model}": only the scratch model can be exported (scratch, scratch:<dir>, scratch@<config>)`);
    checkOptions(spec, ['bias', 'kv', 'weights', 'ops', 'seed']);
    const opts: ExportOptions = { bias: parseOnOff(spec, 'bias', true), kv: parseKv(spec), weights: parseWeightFormat(spec), ops: parseOps(spec) };
    const source = await resolveScratchSource(spec);
    const { config, weights, tokenizer } = await loadScratchArrays(source);
    const out = resolve(a.out);
    await mkdir(dirname(out), { recursive: true });
    const bytes = await exportScratchOnnx(out, config, weights, opts);
    const tokenizerPath = join(dirname(out), 'tokenizer.json');
    if (source.kind === 'dir') await copyFile(join(source.dir, 'tokenizer.json'), tokenizerPath);
    else await tokenizer.save(tokenizerPath);
    printResult(a, { onnx: out, tokenizer: tokenizerPath, bytes, opset: 17, ...opts }, () => `${out}  ${(bytes / 1e6).toFixed(1)} MB (opset 17${opts.ops === 'ort' ? ' + com.microsoft' : ''}, weights ${opts.weights}, kv ${opts.kv}, bias ${opts.bias ? 'on' : 'off'})\n${tokenizerPath}\n`);
  },
};
