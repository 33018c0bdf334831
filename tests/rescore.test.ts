import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SampleRecord, Summary } from '../src/results/types.js';
import { emobench, fixtureDir, tempDir } from './helpers/cli.js';
import { syntheticCsv } from './helpers/synthetic.js';

test('rescore re-extracts answers from stored raw outputs and recomputes the summary', () => {
  const data = fixtureDir({ 'd.csv': syntheticCsv(100) });
  const out = join(tempDir(), 'run');
  assert.equal(emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${join(data, 'd.csv')}`, '--model', 'nb', '--out', out, '--quiet']).code, 0);
  const path = join(out, 'samples.jsonl');
  const records = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SampleRecord);
  // As if an older extractor had failed on free-form outputs: stored raw text, pred null.
  records[0] = { ...records[0]!, output: `**Answer:** ${records[0]!.expected}`, pred: null, correct: false };
  records[1] = { ...records[1]!, output: 'joy or sadness', pred: 'joy', correct: records[1]!.expected === 'joy' };
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const r = emobench(['rescore', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 samples changed/);
  const after = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SampleRecord);
  assert.equal(after[0]!.pred, records[0]!.expected);
  assert.equal(after[0]!.correct, true);
  assert.equal(after[1]!.pred, null);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  assert.equal(summary.models[0]!.metrics.accuracy.value, after.filter((x) => x.correct).length / after.length);
  assert.equal(emobench(['rescore', join(out, 'nope')]).code, 2);
});
