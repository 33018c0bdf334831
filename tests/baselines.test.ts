import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Row } from '../src/datasets/types.js';
import { createModel } from '../src/models/registry.js';
import { charNgrams } from '../src/models/naive-bayes.js';

const labels = ['joy', 'anger'];
const row = (id: number, text: string, label: string): Row => ({ id: String(id), text, label, lang: 'en', split: 'train', tags: [], line: id + 1 });
const train = [
  row(1, 'I love this, so happy', 'joy'),
  row(2, 'wonderful day, thank you', 'joy'),
  row(3, 'great and happy news', 'joy'),
  row(4, 'this is terrible, I hate it', 'anger'),
  row(5, 'furious about the awful service', 'anger'),
  row(6, 'とても嬉しい', 'joy'),
  row(7, 'ふざけるな、腹が立つ', 'anger'),
];

test('character n-grams are normalised and bounded by spaces', () => {
  assert.deepEqual(charNgrams('Ab', 1, 2), [' ', 'a', 'b', ' ', ' a', 'ab', 'b ']);
  assert.deepEqual(charNgrams('ＡＢ', 2, 2), charNgrams('ab', 2, 2));
});

test('nb learns English and Japanese from the train split and returns probabilities', async () => {
  const nb = await createModel('nb');
  await nb.prepare!({ train, labels, seed: 0 });
  const out = await nb.classify!(['so happy, I love it', 'I hate this awful thing', '嬉しい', '腹が立つ'], labels);
  assert.deepEqual(out.map((o) => o.label), ['joy', 'anger', 'joy', 'anger']);
  for (const o of out) assert.ok(Math.abs(o.probs!.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.equal(nb.meta().kind, 'baseline');
});

test('majority answers the most frequent training label, ties to the first listed', async () => {
  const m = await createModel('majority');
  await m.prepare!({ train, labels, seed: 0 });
  assert.deepEqual((await m.classify!(['anything', 'else'], labels)).map((o) => o.label), ['joy', 'joy']);
  const tie = await createModel('majority');
  await tie.prepare!({ train: [row(1, 'x', 'anger'), row(2, 'y', 'joy')], labels, seed: 0 });
  assert.equal((await tie.classify!(['z'], labels))[0]!.label, 'joy');
});

test('unknown models and options are refused', async () => {
  await assert.rejects(createModel('gpt5'), /unknown model "gpt5" \(known: .*nb/);
  await assert.rejects(createModel('nb?alpha=2'), /unknown option alpha/);
});
