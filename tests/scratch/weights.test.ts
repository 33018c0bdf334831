import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tiny } from '../../src/scratch/config.js';
import { readSafetensors, writeSafetensors, f32, type TensorEntry } from '../../src/scratch/safetensors.js';
import { ScratchModel } from '../../src/scratch/scratch-model.js';
import { trainBpe } from '../../src/scratch/tokenizer.js';
import { initWeights, weightEntries } from '../../src/scratch/weights.js';
import { tempDir } from '../helpers/cli.js';
import { fullLogits, maxAbsDiff, tokens } from './helpers.js';

const TEXTS = ['I am so happy today', 'This makes me angry', 'So sad to hear that', 'What a surprise!', 'It is fine, I guess'];

async function savedModel(): Promise<{ model: ScratchModel; dir: string }> {
  const tokenizer = trainBpe(TEXTS, 300);
  const model = await ScratchModel.random(tiny, 11, tokenizer);
  const dir = join(tempDir('emobench-model-'), 'tiny');
  await model.save(dir);
  return { model, dir };
}

/** Rewrite model.safetensors with `edit` applied to its tensors. */
async function editTensors(dir: string, edit: (t: Record<string, TensorEntry>) => void): Promise<string> {
  const file = join(dir, 'model.safetensors');
  const { tensors, metadata } = await readSafetensors(file);
  const all = Object.fromEntries(tensors);
  edit(all);
  await writeSafetensors(file, all, metadata);
  return file;
}

test('save → load round trip: identical weights, logits, tokenizer and classification', async () => {
  const { model, dir } = await savedModel();
  const loaded = await ScratchModel.load(dir);
  assert.deepEqual(loaded.config, model.config);
  const a = new Map(weightEntries(model.weights).map(([n, v]) => [n, v.dataSync()]));
  for (const [name, v] of weightEntries(loaded.weights)) assert.deepEqual(v.dataSync(), a.get(name), name);
  const ids = tokens(20);
  assert.deepEqual(fullLogits(loaded, [ids], { bias: true }), fullLogits(model, [ids], { bias: true }));
  assert.deepEqual(loaded.tokenizer.encode(TEXTS[0]!), model.tokenizer.encode(TEXTS[0]!));
  assert.deepEqual(await loaded.classify(TEXTS[1]!), await model.classify(TEXTS[1]!));
  assert.deepEqual((await loaded.generate('I am', { maxNewTokens: 8 })).ids, (await model.generate('I am', { maxNewTokens: 8 })).ids);
  const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
  assert.equal(config.architecture, 'emobench-scratch');

  // F16 halves the file and stays close.
  const half = join(dir, '..', 'half');
  await model.save(half, { dtype: 'F16' });
  const h = await ScratchModel.load(half);
  assert.ok(maxAbsDiff(fullLogits(h, [ids], { bias: true }), fullLogits(model, [ids], { bias: true })) < 1e-3);
  model.dispose();
  loaded.dispose();
  h.dispose();
});

test('seeded init is deterministic', () => {
  const a = initWeights(tiny, 5);
  const b = initWeights(tiny, 5);
  const c = initWeights(tiny, 6);
  assert.deepEqual(a.blocks[1]!.wqkv, b.blocks[1]!.wqkv);
  assert.notDeepEqual(a.blocks[1]!.wqkv, c.blocks[1]!.wqkv);
});

test('load errors name the missing, mis-shaped or unexpected tensor and the file', async () => {
  const { model, dir } = await savedModel();
  model.dispose();
  const original = await readFile(join(dir, 'model.safetensors'));

  const file = await editTensors(dir, (t) => delete t['blocks.1.salience']);
  await assert.rejects(ScratchModel.load(dir), (e: Error) => {
    assert.match(e.message, /missing tensor "blocks\.1\.salience"/);
    assert.ok(e.message.includes(file));
    assert.match(e.message, /\[32, 5\]/);
    return true;
  });

  await writeFile(file, original);
  await editTensors(dir, (t) => (t['blocks.0.wo'] = f32([32, 31], new Float32Array(32 * 31))));
  await assert.rejects(ScratchModel.load(dir), /tensor "blocks\.0\.wo" has shape \[32, 31\] but config\.json implies \[32, 32\]/);

  await writeFile(file, original);
  await editTensors(dir, (t) => (t['blocks.0.extra'] = f32([2], new Float32Array(2))));
  await assert.rejects(ScratchModel.load(dir), /unexpected tensor "blocks\.0\.extra"/);

  await writeFile(file, original);
  const cfgPath = join(dir, 'config.json');
  await writeFile(cfgPath, JSON.stringify({ ...tiny, nHeads: 5 }));
  await assert.rejects(ScratchModel.load(dir), /config\.json.*not divisible by nHeads 5/);
  await writeFile(cfgPath, JSON.stringify({ ...tiny, dModel: 64 }));
  await assert.rejects(ScratchModel.load(dir), /"embed" has shape \[320, 32\] but config\.json implies \[320, 64\]/);
});
