import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { loadTrainingData, parseDataSpec, PROJECT_DATASET } from '../src/train/data.js';

test('--data emotion trains on the train split and scores the dev split, per language; test rows are never read', async () => {
  const rows = parse(readFileSync(PROJECT_DATASET), { columns: true }) as { text: string; split: string; lang: string }[];
  const count = (split: string, lang?: string) => rows.filter((r) => r.split === split && (lang === undefined || r.lang === lang)).length;
  const d = await loadTrainingData([parseDataSpec('emotion*2')], [], 0);
  assert.equal(d.train.length, 2 * count('train'));
  assert.deepEqual([d.dev.get('emotion-dev-en')!.length, d.dev.get('emotion-dev-ja')!.length], [count('dev', 'en'), count('dev', 'ja')]);
  const test = new Set(rows.filter((r) => r.split === 'test').map((r) => r.text));
  assert.ok(![...d.train, ...d.dev.values()].flat().some((e) => test.has(e.text) && !rows.some((r) => r.split !== 'test' && r.text === e.text)));
});
