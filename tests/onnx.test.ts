import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import yargs from 'yargs';
import { exportCommand } from '../src/cli/export-command.js';
import { small, tiny, type ModelConfig } from '../src/scratch/config.js';
import { Decoder } from '../src/scratch/decode.js';
import type { KvDtype } from '../src/scratch/kv-cache.js';
import { ScratchModel } from '../src/scratch/scratch-model.js';
import { Tokenizer } from '../src/scratch/tokenizer.js';
import { initWeights, mapWeights, type Weights } from '../src/scratch/weights.js';
import { createModel } from '../src/models/registry.js';
import { buildScratchOnnx, DT, encodeModel, Graph, toModel, type AttentionOps } from '../src/onnx/export.js';
import { emptyPast, OrtScratchEngine } from '../src/onnx/ort-engine.js';
import type { SampleRecord } from '../src/results/types.js';
import { emobench, tempDir } from './helpers/cli.js';
import { maxAbsDiff } from './scratch/helpers.js';

const SEED = 7;
const PAD = 2;
// Exports land in a fresh cache directory, so these tests also cover the first-use export.
process.env.EMOBENCH_ONNX_CACHE = tempDir('emobench-onnx-cache-');

const i64 = (values: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), dims);

async function tfjsModel(cfg: ModelConfig = tiny): Promise<{ model: ScratchModel; weights: Weights<Float32Array> }> {
  const model = await ScratchModel.random(cfg, SEED);
  return { model, weights: mapWeights(model.weights, (_n, v) => v.dataSync() as Float32Array) };
}

/**
 * Left-padded prefill of two prompts, then `steps` one-token steps feeding the same tokens to the
 * tfjs Decoder (typed-array cache) and to the exported graph (past → present); the largest
 * |Δlogit| and |Δemotion| at each call.
 */
async function decodeDiffs(opts: { bias: boolean; kv: KvDtype; ops?: AttentionOps }, steps: number): Promise<{ logits: number[]; emotions: number[] }> {
  const { model, weights } = await tfjsModel();
  const session = await ort.InferenceSession.create(encodeModel(buildScratchOnnx(tiny, weights, opts)), { intraOpNumThreads: 1 });
  const decoder = new Decoder(model.weights, tiny, { bias: opts.bias });
  const rows = [[0, 5, 9, 33, 77, 100, 7, 8, 41], [0, 44, 55]];
  const T = Math.max(...rows.map((r) => r.length));
  const cache = decoder.newCache(rows.length, T + steps, opts.kv);
  let ref = decoder.prefill(cache, rows, PAD);
  const mask = rows.map((r) => [...Array<number>(T - r.length).fill(0), ...r.map(() => 1)]);
  const ids = rows.flatMap((r) => [...Array<number>(T - r.length).fill(PAD), ...r]);
  let out = await session.run({ ...emptyPast(session, 2), input_ids: i64(ids, [2, T]), attention_mask: i64(mask.flat(), [2, T]) });
  const diffs = { logits: [] as number[], emotions: [] as number[] };
  const compare = () => {
    diffs.logits.push(maxAbsDiff(out['logits']!.data as Float32Array, ref.logits));
    const e = out['emotions']!.data as Float32Array; // [2, S, 5]: the last position of each row
    const S = out['emotions']!.dims[1]!;
    const last = [...e.subarray((S - 1) * 5, S * 5), ...e.subarray((2 * S - 1) * 5, 2 * S * 5)];
    diffs.emotions.push(maxAbsDiff(last, ref.emotions));
  };
  compare();
  for (let s = 0; s < steps; s++) {
    const next = [10 + s, 200 - s];
    ref = decoder.step(cache, next);
    mask.forEach((m) => m.push(1));
    const feeds: Record<string, ort.Tensor> = { input_ids: i64(next, [2, 1]), attention_mask: i64(mask.flat(), [2, mask[0]!.length]) };
    for (const [name, t] of Object.entries(out)) if (name.startsWith('present')) feeds[`past${name.slice('present'.length)}`] = t;
    out = await session.run(feeds);
    compare();
  }
  await session.release();
  model.dispose();
  return diffs;
}

test('the exported graph equals the tfjs engine within 1e-4: prefill and 10 decode steps, bias on and off, GQA, both operator sets', async () => {
  for (const ops of ['ort', 'standard'] as const) {
    for (const bias of [true, false]) {
      const d = await decodeDiffs({ bias, kv: 'fp32', ops }, 10);
      assert.equal(d.logits.length, 11);
      assert.ok(Math.max(...d.logits) < 1e-4, `ops ${ops}, bias ${bias}: logits ${d.logits.join(' ')}`);
      assert.ok(Math.max(...d.emotions) < 1e-5, `ops ${ops}, bias ${bias}: emotions ${d.emotions.join(' ')}`);
    }
  }
});

test('ops=standard uses ONNX operators only; ops=ort attends with the com.microsoft kernels', () => {
  const weights = initWeights(tiny, SEED);
  const standard = buildScratchOnnx(tiny, weights, { bias: true, ops: 'standard' });
  assert.deepEqual(standard.opsetImport!.map((o) => o.domain), ['']);
  assert.ok(standard.graph!.node!.every((n) => !n.domain));
  const fused = buildScratchOnnx(tiny, weights, { bias: true });
  const contrib = fused.graph!.node!.filter((n) => n.domain === 'com.microsoft').map((n) => n.opType);
  assert.equal(contrib.filter((op) => op === 'MultiHeadAttention').length, tiny.nLayers);
  assert.equal(contrib.filter((op) => op === 'RotaryEmbedding').length, 2 * tiny.nLayers);
  assert.ok(fused.graph!.node!.length < standard.graph!.node!.length, `${fused.graph!.node!.length} nodes vs ${standard.graph!.node!.length}`);
});

test('fp16 and int8 KV caches in the graph match the tfjs caches of the same type', async () => {
  // The graph also stores the prompt's keys quantised before attending to them (tfjs prefills in
  // fp32), so the prefill differs by the quantisation error; decode steps read the same cache.
  for (const [kv, tol] of [['fp16', 1e-4], ['int8', 1e-3]] as const) {
    const d = await decodeDiffs({ bias: true, kv }, 8);
    assert.ok(Math.max(...d.logits) < tol, `kv ${kv}: logits ${d.logits.join(' ')}`);
    assert.ok(Math.max(...d.emotions) < tol, `kv ${kv}: emotions ${d.emotions.join(' ')}`);
  }
});

test('engine=ort: greedy and seeded top-p generation identical to tfjs, emotion probabilities equal', async () => {
  const { model } = await tfjsModel();
  const ortEngine = await OrtScratchEngine.create(tiny, initWeights(tiny, SEED), new Tokenizer([]), { bias: true, kv: 'fp32', weights: 'fp32' });
  assert.equal(ortEngine.info().engine.engine, 'ort');
  assert.ok(['cpu', 'cuda'].includes(ortEngine.info().engine.backend));
  const prompts = ['I am so happy today', 'Why?', 'The weather is'];
  for (const opts of [{ maxNewTokens: 16 }, { maxNewTokens: 12, temperature: 0.8, topP: 0.9, seed: 3 }]) {
    const a = await model.generateBatch(prompts, opts);
    const b = await ortEngine.generateBatch(prompts, opts);
    for (let i = 0; i < prompts.length; i++) {
      assert.deepEqual(b[i]!.ids, a[i]!.ids, `prompt ${i} ${JSON.stringify(opts)}`);
      assert.equal(b[i]!.text, a[i]!.text);
      assert.equal(b[i]!.finishReason, a[i]!.finishReason);
      assert.ok(maxAbsDiff(b[i]!.emotion, a[i]!.emotion) < 1e-5);
    }
  }
  const texts = ['I love this!', 'This is outrageous', 'ありがとう、嬉しい', 'x'.repeat(200)];
  const pa = await model.classifyBatch(texts);
  const pb = await ortEngine.classifyBatch(texts);
  for (let i = 0; i < texts.length; i++) assert.ok(maxAbsDiff(pa[i]!, pb[i]!) < 1e-5, `text ${i}`);
  await ortEngine.dispose();
  model.dispose();
});

test('int8 weights: the DynamicQuantizeLinear → MatMulInteger graph stays close to fp32', async () => {
  // small, not tiny: tiny's matrices are all under the size that gets quantised.
  const weights = initWeights(small, SEED);
  const run = async (w: 'fp32' | 'int8') => {
    const graph = buildScratchOnnx(small, weights, { bias: true, weights: w });
    assert.equal(graph.graph!.node!.filter((n) => n.opType === 'MatMulInteger').length, w === 'int8' ? 4 * small.nLayers + 1 : 0);
    const s = await ort.InferenceSession.create(encodeModel(graph));
    const ids = [0, 40, 50, 60, 70, 80];
    const r = await s.run({ ...emptyPast(s, 1), input_ids: i64(ids, [1, ids.length]), attention_mask: i64(ids.map(() => 1), [1, ids.length]) });
    return r['logits']!.data as Float32Array;
  };
  const [full, quant] = [await run('fp32'), await run('int8')];
  const range = Math.max(...full) - Math.min(...full);
  assert.ok(maxAbsDiff(full, quant) < 0.05 * range, `int8 vs fp32: ${maxAbsDiff(full, quant)} of range ${range}`);
});

test('spec options: engine=ort records the provider; bad combinations are refused', async () => {
  const m = await createModel(`scratch@tiny?engine=ort&seed=${SEED}`);
  const meta = m.meta();
  assert.equal((meta.config['engine'] as { engine: string }).engine, 'ort');
  assert.equal(meta.config['weights'], 'fp32');
  const tfjs = await createModel(`scratch@tiny?seed=${SEED}`);
  assert.notEqual(meta.config_hash, tfjs.meta().config_hash);
  await m.close?.();
  await tfjs.close?.();
  await assert.rejects(createModel('scratch@tiny?engine=ort&window=8'), /window is not supported with engine=ort/);
  await assert.rejects(createModel('scratch@tiny?weights=int8'), /needs engine=ort/);
  await assert.rejects(createModel('scratch@tiny?engine=onnx'), /engine must be tfjs, ort or webgpu/);
  await assert.rejects(createModel('scratch@tiny?ops=standard'), /needs engine=ort/);
  await assert.rejects(createModel('scratch@tiny?engine=ort&ops=fast'), /ops must be ort or standard/);
});

/** A trained-model directory (random tiny weights, byte-level tokenizer) and its export. */
async function exportedDir(): Promise<{ scratchDir: string; file: string }> {
  const { model } = await tfjsModel();
  const scratchDir = join(tempDir(), 'scratch');
  await model.save(scratchDir);
  model.dispose();
  const file = join(tempDir(), 'export', 'model.onnx');
  await yargs(['export-onnx', '--model', `scratch:${scratchDir}`, '--out', file, '--quiet']).command(exportCommand).strict().parseAsync();
  assert.ok(existsSync(file) && existsSync(join(file, '..', 'tokenizer.json')));
  return { scratchDir, file };
}

function predictions(dir: string, model: string): Map<string, string | null> {
  const lines = readFileSync(join(dir, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SampleRecord);
  return new Map(lines.filter((s) => s.model === model).map((s) => [s.id, s.pred]));
}

test('onnx:<export> runs the emotion suite and predicts exactly what scratch:<dir> predicts', async () => {
  const { scratchDir, file } = await exportedDir();
  const out = join(tempDir(), 'run');
  const r = emobench(['eval', '--suite', 'emotion', '--model', `scratch:${scratchDir}`, '--model', `onnx:${file}`, '--limit', '20', '--quiet', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const a = predictions(out, `scratch:${scratchDir}`);
  const b = predictions(out, `onnx:${file}`);
  assert.equal(a.size, 20);
  assert.deepEqual([...b.entries()].sort(), [...a.entries()].sort());

  // head=lm: the export generates like the scratch model answering the prompt.
  const req = { messages: [{ role: 'user' as const, content: 'How do you feel?' }], sampling: { max_tokens: 8 }, repeat: 0 };
  const lm = await createModel(`onnx:${file}?head=lm`);
  const ref = await createModel(`scratch:${scratchDir}?head=lm`);
  assert.equal((await lm.chat!(req)).text, (await ref.chat!(req)).text);
  await lm.close?.();
  await ref.close?.();
});

test('onnx:<classifier> with labels.json and a Hugging Face tokenizer.json', async () => {
  // input_ids, attention_mask → masked mean of embeddings → linear → logits [batch, 5].
  const V = 259;
  const D = 8;
  const labels = ['joy', 'anger', 'sadness', 'surprise', 'neutral'];
  const w = initWeights(tiny, 1);
  const embed = w.embed.slice(0, V * D);
  const head = w.emotion.head.slice(0, D * labels.length);
  const g = new Graph();
  const ids = g.input('input_ids', DT.INT64, ['batch', 'seq']);
  const mask = g.input('attention_mask', DT.INT64, ['batch', 'seq']);
  const m = g.node('Unsqueeze', [g.node('Cast', [mask], { to: DT.FLOAT }), g.ints([-1])]);
  const x = g.node('Mul', [g.node('Gather', [g.initializer('embed', [V, D], DT.FLOAT, embed), ids]), m]);
  const mean = g.node('Div', [g.node('ReduceSum', [x, g.ints([1])], { keepdims: 0 }), g.node('ReduceSum', [m, g.ints([1])], { keepdims: 0 })]);
  g.output(g.node('MatMul', [mean, g.initializer('head', [D, labels.length], DT.FLOAT, head)], {}, 'logits'), DT.FLOAT, ['batch', labels.length]);
  const dir = tempDir();
  writeFileSync(join(dir, 'model.onnx'), encodeModel(toModel(g, 'classifier')));
  writeFileSync(join(dir, 'labels.json'), JSON.stringify(labels));
  await new Tokenizer([]).save(join(dir, 'tokenizer.json'));

  const texts = ['I love it', 'so angry', 'a somewhat longer sentence than the others'];
  const model = await createModel(`onnx:${dir}`);
  assert.equal(model.meta().kind, 'onnx');
  const got = await model.classify!(texts, labels);
  const tok = new Tokenizer([]);
  texts.forEach((t, i) => {
    const tokens = tok.encode(t);
    const logits = labels.map((_, c) => tokens.reduce((s, id) => s + [...Array(D).keys()].reduce((a, k) => a + embed[id * D + k]! * head[k * labels.length + c]!, 0), 0) / tokens.length);
    assert.equal(got[i]!.label, labels[logits.indexOf(Math.max(...logits))], `text ${i}`);
  });
  await model.close?.();
});

test('onnx:<causal LM> without a cache generates greedily through the prompt template', async () => {
  // A bigram model: logits[b, s] = embed[ids[b, s]] · W, over the byte-level vocabulary.
  const V = 259;
  const D = 8;
  const w = initWeights(tiny, 2);
  const embed = w.embed.slice(0, V * D);
  const out = new Float32Array(D * V).map((_, i) => w.lmHead[i]! * 50);
  const g = new Graph();
  const ids = g.input('input_ids', DT.INT64, ['batch', 'seq']);
  g.input('attention_mask', DT.INT64, ['batch', 'seq']);
  const x = g.node('Gather', [g.initializer('embed', [V, D], DT.FLOAT, embed), ids]);
  g.output(g.node('MatMul', [x, g.initializer('out', [D, V], DT.FLOAT, out)], {}, 'logits'), DT.FLOAT, ['batch', 'seq', V]);
  const dir = tempDir();
  writeFileSync(join(dir, 'model.onnx'), encodeModel(toModel(g, 'bigram')));
  const tok = new Tokenizer([]);
  await tok.save(join(dir, 'tokenizer.json'));

  const model = await createModel(`onnx:${join(dir, 'model.onnx')}`);
  assert.equal(model.classify, undefined);
  const r = await model.chat!({ messages: [{ role: 'user', content: 'Hello' }], sampling: { max_tokens: 6 }, repeat: 0 });
  // Reference: the prompt's last token, then argmax over ids the loop may sample (not padding).
  const expected: number[] = [];
  let last = tok.encode('Hello\nAnswer:').at(-1)!;
  for (let i = 0; i < 6 && last !== tok.eos; i++) {
    const logits = [...Array(V).keys()].map((v) => (v === tok.pad ? -Infinity : [...Array(D).keys()].reduce((a, k) => a + embed[last * D + k]! * out[k * V + v]!, 0)));
    last = logits.indexOf(Math.max(...logits));
    if (last !== tok.eos) expected.push(last);
  }
  assert.equal(expected.length, 6);
  assert.equal(r.text, tok.decode(expected));
  assert.equal(r.usage.completion_tokens, expected.length);
  await model.close?.();
});

test('bad onnx: models exit 2 naming the file', async () => {
  const dir = tempDir();
  const run = (spec: string) => emobench(['eval', '--suite', 'emotion', '--model', spec, '--limit', '2', '--quiet', '--out', join(tempDir(), 'r')]);

  const missing = join(dir, 'missing.onnx');
  let r = run(`onnx:${missing}`);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(missing));

  const garbage = join(dir, 'garbage.onnx');
  writeFileSync(garbage, 'this is not a model');
  r = run(`onnx:${garbage}`);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${garbage}: `));

  const { file } = await exportedDir();
  rmSync(join(file, '..', 'tokenizer.json'));
  r = run(`onnx:${file}`);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /tokenizer\.json not found/);

  const g = new Graph();
  const ids = g.input('input_ids', DT.INT64, ['batch', 'seq']);
  g.input('speaker_id', DT.INT64, ['batch']);
  g.output(g.node('Cast', [ids], { to: DT.FLOAT }, 'logits'), DT.FLOAT, ['batch', 'seq']);
  const odd = join(tempDir(), 'odd.onnx');
  writeFileSync(odd, encodeModel(toModel(g, 'odd')));
  r = run(`onnx:${odd}`);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${odd}: unknown input speaker_id`));
});
