import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Row } from '../src/datasets/types.js';
import { answerer } from '../src/extract/answer.js';
import { promptBuilder } from '../src/prompts/shots.js';
import type { SampleRecord, Summary } from '../src/results/types.js';
import { proportionGap } from '../src/run/aggregate.js';
import { wilson } from '../src/scoring/ci.js';
import { emobench, fixtureDir, tempDir } from './helpers/cli.js';

const row = (o: Partial<Row>): Row => ({ id: 'x', text: 'q', label: '42', lang: 'en', split: 'test', tags: [], line: 1, ...o });

test('answers are judged by type: numbers numerically, letters, short text as whole words, auto per row', () => {
  const auto = answerer('auto');
  const num = row({ label: '1234' });
  assert.equal(auto.correct(auto.extract('So the total is 1,234.0 apples. The answer is 1,234.', num), num), true);
  const mc = row({ label: 'B', choices: ['Ana', 'Jonas', 'Femi', 'Gia'] });
  assert.equal(auto.extract('The answer is (b).', mc), 'B');
  assert.equal(auto.extract('Jonas is the shortest.', mc), 'B');
  const qa = row({ label: 'Tokyo' });
  assert.equal(auto.correct(auto.extract('The capital of Japan is Tokyo.', qa), qa), true);
  assert.equal(auto.correct(auto.extract('Kyoto, I think.', qa), qa), false);
  assert.equal(auto.correct(auto.extract('The answer is Tokyo-ish', row({ label: 'Tokyo' })), qa), false);
  const ja = row({ label: '東京', lang: 'ja' });
  assert.equal(auto.correct(auto.extract('答えは東京です。', ja), ja), true);
});

test('k-shot prompts take train examples of the same kind and language, seeded', () => {
  const train = [row({ id: 't1', kind: 'arith', text: 'two plus two', label: '4' }), row({ id: 't2', kind: 'logic', text: 'who?', label: 'A' }), row({ id: 't3', kind: 'arith', text: 'three minus one', label: '2' })];
  const build = promptBuilder({ system: 'Solve.', user: 'Q: {{text}}', shots: 2, cot_system: 'Think step by step.' }, train, { labels: [], cot: true, seed: 1 });
  const msgs = build(row({ id: 'q1', kind: 'arith', text: 'one plus one' }));
  assert.deepEqual(msgs.map((m) => m.role), ['system', 'user', 'assistant', 'user', 'assistant', 'user']);
  assert.equal(msgs[0]!.content, 'Think step by step.');
  assert.deepEqual(new Set([msgs[1]!.content, msgs[3]!.content]), new Set(['Q: two plus two', 'Q: three minus one']));
  assert.equal(msgs.at(-1)!.content, 'Q: one plus one');
  assert.deepEqual(build(row({ id: 'q1', kind: 'arith', text: 'one plus one' })), msgs);
});

test('Newcombe interval for a gap between two proportions', () => {
  // Newcombe (1998), method 10, example: 56/70 − 48/80 = 0.2 [0.0524, 0.3339].
  const g = proportionGap(wilson(56, 70), wilson(48, 80));
  assert.ok(Math.abs(g.value - 0.2) < 1e-12);
  assert.ok(Math.abs(g.lo - 0.0524) < 5e-4 && Math.abs(g.hi - 0.3339) < 5e-4, `${g.lo} ${g.hi}`);
});

test('the reasoning suite breaks results down by difficulty and kind; a sweep gives mean ± sd and consistency per setting', () => {
  const out = join(tempDir(), 'r');
  const r = emobench(['eval', '--suite', 'reasoning', '--model', 'scratch@tiny?head=lm', '--limit', '15', '--max-tokens', '3', '--temperature', '0,1', '--repeats', '3', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /accuracy % by difficulty/);
  assert.match(r.stdout, /mean ± sd over repeats/);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  assert.deepEqual(s.models.map((m) => m.setting), ['t=0', 't=1']);
  for (const m of s.models) {
    assert.equal(m.n, 45);
    assert.equal(m.sweep!.repeats, 3);
    assert.ok(Object.keys(m.by_group!['difficulty']!).length > 0 && Object.keys(m.by_group!['kind']!).length > 0);
  }
  assert.equal(s.models[0]!.sweep!.consistency, 1, 'greedy decoding answers the same every time');
  const samples = readFileSync(join(out, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SampleRecord);
  assert.equal(new Set(samples.map((x) => `${x.id}/${x.setting}/${x.repeat}`)).size, 90);
  const nb = emobench(['eval', '--suite', 'reasoning', '--model', 'nb']);
  assert.equal(nb.code, 2);
  assert.match(nb.stderr, /can only pick among labels/);
});

test('GSM8K and MGSM files run through the reasoning suite', () => {
  const dir = fixtureDir({
    'test.jsonl': `${JSON.stringify({ question: 'Tom has 3 apples and buys 4 more. How many?', answer: '3+4=<<3+4=7>>7\n#### 7' })}\n`,
    'mgsm_ja.tsv': 'りんごが3個あり、4個買いました。全部で何個？\t7\n',
  });
  for (const spec of [`gsm8k:${join(dir, 'test.jsonl')}`, `mgsm:${join(dir, 'mgsm_ja.tsv')}`]) {
    const out = join(tempDir(), 'g');
    const r = emobench(['eval', '--suite', 'reasoning', '--model', 'scratch@tiny?head=lm', '--dataset', spec, '--max-tokens', '2', '--out', out, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    assert.equal(s.models[0]!.n, 1);
  }
  writeFileSync(join(dir, 'bad.jsonl'), '{"question": "x"}\n{oops\n');
  const bad = emobench(['eval', '--suite', 'reasoning', '--model', 'scratch@tiny?head=lm', '--dataset', `gsm8k:${join(dir, 'bad.jsonl')}`]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad\.jsonl:\d/);
});
