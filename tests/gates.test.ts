import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { mcnemar, pairedPermutation } from '../src/compare/paired.js';
import { parseGate } from '../src/gates/expr.js';
import { emobench, tempDir } from './helpers/cli.js';
import { writeFixtureRun } from './helpers/fixture-run.js';

const allRight = (n: number) => Array.from({ length: n }, () => true);
/** The first `wrong` samples wrong, the rest right. */
const withWrong = (n: number, wrong: number) => Array.from({ length: n }, (_, i) => i >= wrong);

test('gate expressions parse, including classes and percentages', () => {
  assert.deepEqual(parseGate('emotion.accuracy>=0.80'), { source: 'emotion.accuracy>=0.80', suite: 'emotion', metric: ['accuracy'], op: '>=', value: 0.8 });
  assert.deepEqual(parseGate(' emotion.f1.anger > 78% ').metric, ['f1', 'anger']);
  assert.equal(parseGate(' emotion.f1.anger > 78% ').value, 0.78);
  assert.equal(parseGate('emotion.error_rate<=0').op, '<=');
});

test('malformed gates point at the error', () => {
  const cases: [string, RegExp][] = [
    ['emotion.accuracy=>0.8', /\n  emotion\.accuracy=>0\.8\n {18}\^ expected/],
    ['emotion accuracy>=0.8', /\n {9}\^/],
    ['emotion.accuracy>=', /\n {20}\^/],
    ['emotion.acc>=0.8', /unknown metric "acc"/],
    ['emotion.f1>=0.8', /f1 needs a class/],
    ['emotion.accuracy.joy>=0.8', /accuracy takes no class/],
  ];
  for (const [src, re] of cases) assert.throws(() => parseGate(src), re, src);
});

test('passing gates exit 0, failing exit 1 with the failed gate and value, malformed exit 2', () => {
  const run = writeFixtureRun(join(tempDir(), 'run'), 'nb', withWrong(100, 20));
  const ok = emobench(['gate', run, '--gate', 'emotion.accuracy>=0.80', '--gate', 'emotion.error_rate<=0']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /gates: 2\/2 passed/);
  const junit = join(tempDir(), 'gates.xml');
  const summaryFile = join(tempDir(), 'step-summary.md');
  const bad = emobench(['gate', run, '--gate', 'emotion.accuracy>=0.81', '--gate', 'emotion.f1.joy>=0.5', '--junit', junit], { env: { GITHUB_STEP_SUMMARY: summaryFile } });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /FAIL  nb  emotion\.accuracy>=0\.81  \(0\.8000, needs >= 0\.8100\)/);
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /tests="2" failures="1"/);
  assert.match(xml, /<failure message="0\.8000, needs &gt;= 0\.8100">/);
  assert.match(readFileSync(summaryFile, 'utf8'), /\| ❌ \| nb \| `emotion\.accuracy>=0\.81` \|/);
  const malformed = emobench(['gate', run, '--gate', 'emotion.accuracy=>0.8']);
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /\^ expected/);
  const wrongSuite = emobench(['gate', run, '--gate', 'reasoning.accuracy>=0.8']);
  assert.equal(wrongSuite.code, 2);
  assert.match(wrongSuite.stderr, /names suite "reasoning", but this run is "emotion"/);
});

test('an incomplete run never passes a gate', () => {
  const run = writeFixtureRun(join(tempDir(), 'run'), 'nb', allRight(50), { complete: false });
  const r = emobench(['gate', run, '--gate', 'emotion.accuracy>=0.5']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /run incomplete/);
});

test('baseline regression: a significant drop fails, a drop within noise passes unless --no-significance', () => {
  const base = tempDir();
  // 200 samples: 100% → 85%, 30 discordant pairs all one way: McNemar p ≈ 2e-9.
  const before = writeFixtureRun(join(base, 'before'), 'nb', allRight(200));
  const worse = writeFixtureRun(join(base, 'worse'), 'nb', withWrong(200, 30));
  const sig = emobench(['gate', worse, '--baseline', before, '--max-drop', '0.02']);
  assert.equal(sig.code, 1, sig.stdout);
  assert.match(sig.stderr, /FAIL  nb  baseline accuracy drop <= 0\.0200  \(1 → 0\.8500 \(drop 0\.1500, mcnemar p=0\.000/);

  // 40 samples: 5 flips → drop 12.5% but McNemar p = 2·0.5^5 = 0.0625: not significant.
  const b40 = writeFixtureRun(join(base, 'b40'), 'nb', allRight(40));
  const w40 = writeFixtureRun(join(base, 'w40'), 'nb', withWrong(40, 5));
  const noise = emobench(['gate', w40, '--baseline', b40, '--max-drop', '0.02']);
  assert.match(noise.stdout, /pass  nb  baseline accuracy drop <= 0\.0200 .*mcnemar p=0\.063.*not significant/);
  assert.match(noise.stdout, /pass  nb  baseline macro_f1 drop .*permutation p=0\.0[5-7]\d.*not significant/);
  assert.equal(noise.code, 0);
  const plain = emobench(['gate', w40, '--baseline', join(b40, 'summary.json'), '--max-drop', '0.02', '--no-significance']);
  assert.equal(plain.code, 1);
});

test('compare prints markdown with paired tests', () => {
  const base = tempDir();
  const a = writeFixtureRun(join(base, 'a'), 'nb', allRight(200));
  const b = writeFixtureRun(join(base, 'b'), 'nb', withWrong(200, 30));
  const r = emobench(['compare', a, b]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\| nb \| accuracy \| 100\.0 \| 85\.0 \| -15\.0 \| <0\.001 \| ▼ worse \|/);
  assert.match(r.stdout, /\| nb \| macro_f1 \| 100\.0 \| .* \| <0\.001 \| ▼ worse \|/);
});

test('a baseline or compare with no model in common exits 2 naming the models on each side (a renamed model never switches the gate off)', () => {
  const base = tempDir();
  const old = writeFixtureRun(join(base, 'old'), 'nb', allRight(20));
  const renamed = writeFixtureRun(join(base, 'renamed'), 'nb-v2', allRight(20));
  const g = emobench(['gate', renamed, '--baseline', old]);
  assert.equal(g.code, 2, g.stderr);
  assert.match(g.stderr, /--baseline: nb-v2 is not in both runs, so there is nothing to compare \(.*old has nb; .*renamed has nb-v2\)/);
  const c = emobench(['compare', old, renamed]);
  assert.equal(c.code, 2, c.stderr);
  assert.match(c.stderr, /compare: the runs share no model, so there is nothing to compare \(.*old has nb; .*renamed has nb-v2\)/);
  assert.equal(c.stdout, '', 'no empty table');
  // Same model, but no sample in common (a different subset): also nothing to compare.
  const other = writeFixtureRun(join(base, 'other'), 'nb', allRight(20), { idPrefix: 'y' });
  const d = emobench(['gate', other, '--baseline', old]);
  assert.equal(d.code, 2, d.stderr);
  assert.match(d.stderr, /nb scored no sample in common/);
});

test('a corrupt summary is a clear error', () => {
  const dir = writeFixtureRun(join(tempDir(), 'run'), 'nb', allRight(5));
  writeFileSync(join(dir, 'summary.json'), '{oops');
  const r = emobench(['gate', dir, '--gate', 'emotion.accuracy>=0.5']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /summary\.json: invalid JSON/);
});

test('McNemar and the paired permutation test against exact values', () => {
  assert.equal(mcnemar(0, 0), 1);
  assert.ok(Math.abs(mcnemar(0, 5) - 0.0625) < 1e-12);
  // b=10, c=2: 2·P(X≤2 | n=12) = 2·(1+12+66)/4096 = 0.03857
  assert.ok(Math.abs(mcnemar(10, 2) - 158 / 4096) < 1e-12);
  assert.ok(mcnemar(5000, 5000) > 0.99);
  const mean = (s: readonly number[]) => s.reduce((x, y) => x + y, 0) / s.length;
  const a = Array.from({ length: 40 }, () => 1);
  const same = pairedPermutation(a, a, mean, { seed: 1 });
  assert.equal(same.delta, 0);
  assert.equal(same.p, 1);
  // 5 one-sided flips: the exact permutation p-value is 2/2^5 = 0.0625, as McNemar's.
  const flipped = a.map((x, i) => (i < 5 ? 0 : x));
  const r = pairedPermutation(a, flipped, mean, { seed: 1, rounds: 20_000 });
  assert.ok(Math.abs(r.p - 0.0625) < 0.006, `p ${r.p}`);
});
