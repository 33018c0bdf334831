import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrap, quantile, wilson } from '../src/scoring/ci.js';
import { accuracy, classificationMetrics, confusionMatrix, macroF1, UNPARSEABLE } from '../src/scoring/classification.js';

const labels = ['a', 'b', 'c'];
// Hand-worked example (see comments for the arithmetic).
const preds = [
  { gold: 'a', pred: 'a' },
  { gold: 'a', pred: 'a' },
  { gold: 'a', pred: 'b' },
  { gold: 'b', pred: 'b' },
  { gold: 'b', pred: null },
  { gold: 'c', pred: 'a' },
];

test('confusion matrix puts unparseable answers in their own last column', () => {
  assert.deepEqual(confusionMatrix(preds, labels), [
    [2, 1, 0, 0],
    [0, 1, 0, 1],
    [1, 0, 0, 0],
  ]);
});

test('accuracy and macro-F1 match hand-computed values', () => {
  assert.equal(accuracy(preds), 0.5);
  // a: P=2/3 R=2/3 F1=2/3 · b: P=1/2 R=1/2 F1=1/2 · c: F1=0 → macro = 7/18
  assert.ok(Math.abs(macroF1(preds, labels) - 7 / 18) < 1e-12);
});

test('per-class precision, recall, F1 and support', () => {
  const m = classificationMetrics(preds, labels, { seed: 1, resamples: 200 });
  assert.ok(Math.abs(m.per_class['a']!.precision - 2 / 3) < 1e-12);
  assert.ok(Math.abs(m.per_class['a']!.recall - 2 / 3) < 1e-12);
  assert.ok(Math.abs(m.per_class['b']!.f1 - 0.5) < 1e-12);
  assert.equal(m.per_class['c']!.f1, 0);
  assert.equal(m.per_class['a']!.support, 3);
  assert.equal(m.unparseable, 1);
  assert.deepEqual(m.confusion.columns, [...labels, UNPARSEABLE]);
  assert.equal(m.n, 6);
});

test('Wilson interval matches published values', () => {
  const w = wilson(3, 6);
  assert.equal(w.value, 0.5);
  assert.ok(Math.abs(w.lo - 0.1876) < 1e-4, `lo ${w.lo}`);
  assert.ok(Math.abs(w.hi - 0.8124) < 1e-4, `hi ${w.hi}`);
  const z = wilson(0, 10);
  assert.equal(z.lo, 0);
  assert.ok(Math.abs(z.hi - 0.2775) < 1e-4, `hi ${z.hi}`);
  assert.ok(Number.isNaN(wilson(0, 0).value));
});

test('bootstrap is seeded, brackets the estimate, and narrows with more data', () => {
  const items = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 0 : 1));
  const mean = (s: readonly number[]) => [s.reduce((a, b) => a + b, 0) / s.length];
  const [a] = bootstrap(items, mean, { seed: 7 });
  const [b] = bootstrap(items, mean, { seed: 7 });
  assert.deepEqual(a, b);
  assert.equal(a!.value, 0.75);
  assert.ok(a!.lo < 0.75 && a!.hi > 0.75);
  // Normal approximation: half-width ≈ 1.96·sqrt(.75·.25/400) ≈ 0.042.
  assert.ok(Math.abs(a!.hi - a!.lo - 0.085) < 0.02, `width ${a!.hi - a!.lo}`);
  const [small] = bootstrap(items.slice(0, 40), mean, { seed: 7 });
  assert.ok(small!.hi - small!.lo > a!.hi - a!.lo);
});

test('quantile interpolates like numpy', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([10], 0.9), 10);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});
