import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SampleRecord, Summary } from '../src/results/types.js';
import { emobench, fixtureDir, tempDir } from './helpers/cli.js';

const header = 'id,text,label,lang,split\n';
const rows = [
  '1,"I love this, thank you!",joy,en,train',
  '2,This is outrageous and I am furious,anger,en,train',
  '3,I miss her so much,sadness,en,train',
  '4,Wait what?! No way!,surprise,en,train',
  '5,The meeting is at 3pm,neutral,en,train',
  '6,love it so much,joy,en,test',
  '7,furious about this,anger,en,test',
  '8,miss you,sadness,en,test',
  '9,no way!,surprise,en,test',
  '10,the bus leaves at 5,neutral,en,test',
  '11,ありがとう、嬉しい,joy,ja,test',
];

function readSummary(dir: string): Summary {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
}

test('eval writes samples.jsonl and summary.json and prints a leaderboard', () => {
  const data = fixtureDir({ 'd.csv': header + rows.join('\n') + '\n' });
  const out = join(tempDir(), 'run');
  const r = emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${join(data, 'd.csv')}`, '--model', 'nb', '--model', 'majority', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /model\s+n\s+accuracy % \[95% CI\]\s+macro-F1 % \[95% CI\]/);
  assert.match(r.stdout, new RegExp(`results: ${out}`));
  const samples = readFileSync(join(out, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SampleRecord);
  assert.equal(samples.length, 2 * 6);
  assert.deepEqual(new Set(samples.map((s) => `${s.model}/${s.id}`)).size, 12);
  const s = readSummary(out);
  assert.equal(s.schema, 'emobench.summary/1');
  assert.equal(s.complete, true);
  assert.equal(s.meta.dataset.eval_rows, 6);
  assert.equal(s.meta.dataset.train_rows, 5);
  assert.match(s.meta.dataset.sha256, /^[0-9a-f]{64}$/);
  assert.equal(s.meta.host.node, process.version);
  assert.deepEqual(s.models.map((m) => m.spec), ['nb', 'majority']);
  assert.deepEqual(Object.keys(s.models[0]!.by_lang), ['en', 'ja']);
  const majority = s.models[1]!;
  // Every train label occurs once, so majority picks the first listed: joy → 2 of 6 correct.
  assert.equal(majority.metrics.accuracy.value, 2 / 6);
  assert.ok(majority.metrics.accuracy.lo < majority.metrics.accuracy.value);
});

test('the same seed gives identical metrics; --json prints the summary', () => {
  const data = fixtureDir({ 'd.csv': header + rows.join('\n') + '\n' });
  const run = () => {
    const r = emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${join(data, 'd.csv')}`, '--model', 'nb', '--seed', '1', '--json', '--out', join(tempDir(), 'r')]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as Summary).models.map((m) => m.metrics);
  };
  assert.deepEqual(run(), run());
});

test('an unknown label exits 2 with file:line and writes no results', () => {
  const data = fixtureDir({ 'd.csv': header + rows.join('\n') + '\n12,meh,boredom,en,test\n' });
  const out = join(tempDir(), 'run');
  const r = emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${join(data, 'd.csv')}`, '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${join(data, 'd.csv')}:13: field "label": unknown label "boredom"`));
  assert.equal(existsSync(out), false);
});

test('--lenient skips bad rows and reports them', () => {
  const data = fixtureDir({ 'd.csv': header + rows.join('\n') + '\n12,meh,boredom,en,test\n' });
  const out = join(tempDir(), 'run');
  const r = emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${join(data, 'd.csv')}`, '--model', 'nb', '--lenient', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /skipped 1 bad dataset rows/);
  assert.deepEqual(readSummary(out).skipped_rows, [{ line: 13, reason: 'field "label": unknown label "boredom" (id 12); expected one of joy, anger, sadness, surprise, neutral' }]);
});

test('bad usage exits 2 with a message; --help and --version work', () => {
  for (const args of [['eval'], ['eval', '--suite', 'emotion', '--limit', '0'], ['eval', '--suite', 'emotion', '--bogus'], ['frobnicate'], []]) {
    const r = emobench(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /emobench: .+/);
  }
  const help = emobench(['eval', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:/);
  assert.match(emobench(['--version']).stdout, /^\d+\.\d+\.\d+/);
});

test('a broken suite file exits 2 naming file, line and field', () => {
  const dir = fixtureDir({
    'bad.yaml': 'name: bad\ntask: classification\ndataset:\n  path: d.csv\n  fromat: csv\nlabels: [a, b]\ndefault_models: [nb]\n',
  });
  const r = emobench(['eval', '--suite', join(dir, 'bad.yaml')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.yaml:5: field "dataset": unknown field "fromat"/);
  assert.deepEqual(readdirSync(dir), ['bad.yaml']);
});
