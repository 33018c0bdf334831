import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Row } from '../src/datasets/types.js';
import { createModel } from '../src/models/registry.js';
import { minimize } from '../src/models/lbfgs.js';
import { charNgrams } from '../src/models/naive-bayes.js';
import { ngramCounts } from '../src/models/tfidf.js';

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

test('L-BFGS minimises a badly scaled quadratic to its gradient tolerance', () => {
  // f(x) = Σ cᵢ (xᵢ − i)² / 2 with condition number 10²: the minimum is xᵢ = i.
  const c = Float64Array.from({ length: 50 }, (_, i) => 10 ** ((2 * i) / 49));
  const r = minimize((x, g) => {
    let f = 0;
    for (let i = 0; i < x.length; i++) {
      g[i] = c[i]! * (x[i]! - i);
      f += (c[i]! * (x[i]! - i) ** 2) / 2;
    }
    return f;
  }, new Float64Array(50), { gradTol: 1e-8, relTol: 0 });
  assert.equal(r.reason, 'gradient');
  assert.ok(r.converged && r.gradInf <= 1e-8);
  for (let i = 0; i < 50; i++) assert.ok(Math.abs(r.x[i]! - i) < 1e-6, `x[${i}] = ${r.x[i]}`);
});

test('tf-idf n-grams: words and bigrams, character 2-5-grams that never split a surrogate pair', () => {
  const g = ngramCounts('Not  good 😀', { wordMaxN: 2, charMinN: 2, charMaxN: 3 });
  assert.equal(g.get('w:not'), 1);
  assert.equal(g.get('w:not good'), 1);
  assert.equal(g.get('w:😀'), 1);
  assert.equal(g.get('c: 😀 '), 1);
  for (const k of g.keys()) assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(k), k);
  assert.equal(ngramCounts('ＡＢ', { wordMaxN: 1, charMinN: 2, charMaxN: 2 }).get('c:ab'), 1);
});

test('tfidf learns English and Japanese, converges, and is deterministic', async () => {
  // n-grams seen in one training text only are dropped (minDf 2): each Japanese word occurs twice here.
  const more = [...train, row(8, '嬉しい日', 'joy'), row(9, '本当に腹が立つ', 'anger')];
  const fit = async () => {
    const m = await createModel('tfidf');
    await m.prepare!({ train: more, labels, seed: 0 });
    return m;
  };
  const a = await fit();
  const out = await a.classify!(['so happy, I love it', 'I hate this awful thing', '嬉しい', '腹が立つ'], labels);
  assert.deepEqual(out.map((o) => o.label), ['joy', 'anger', 'joy', 'anger']);
  for (const o of out) assert.ok(Math.abs(o.probs!.reduce((x, y) => x + y, 0) - 1) < 1e-9);
  const meta = a.meta();
  assert.equal((meta.config['fit'] as { converged: boolean }).converged, true);
  assert.equal(meta.config_hash, (await fit()).meta().config_hash);
  // The suite's label order, not the model's, orders the probabilities.
  const swapped = await a.classify!(['嬉しい'], ['anger', 'joy']);
  assert.deepEqual(swapped[0]!.probs, [...out[2]!.probs!].reverse());
});

test('tf-idf words: Japanese is cut where the script changes, not kept as one sentence-long word', () => {
  const g = ngramCounts('今日はとてもハッピーだ', { wordMaxN: 1, charMinN: 2, charMaxN: 2 });
  assert.deepEqual([...g.keys()].filter((k) => k.startsWith('w:')), ['w:今日', 'w:はとても', 'w:ハッピー', 'w:だ']);
});
