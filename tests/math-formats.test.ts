import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../src/datasets/load.js';
import { mgsmLanguage } from '../src/datasets/formats/mgsm.js';
import { fixtureDir } from './helpers/cli.js';

// Problems written for these tests in the public layouts; no line comes from GSM8K or MGSM.
const gsm = (question: string, answer: string): string => JSON.stringify({ question, answer });

test('GSM8K: gold is the number after ####, commas removed; split from the file name', async () => {
  const dir = fixtureDir({
    'train.jsonl': [
      gsm('Ravi has 3 bags of 4 marbles. How many marbles?', 'He has 3 * 4 = <<3*4=12>>12 marbles.\n#### 12'),
      '',
      gsm('A town has 1,200 houses and builds 1,000 more. How many now?', '1,200 + 1,000 = 2,200\n#### 2,200'),
      gsm('It is 3 degrees and falls by 5. What is it now?', '3 - 5 = -2\n#### -2'),
    ].join('\n') + '\n',
  });
  const d = await loadDataset(`gsm8k:${join(dir, 'train.jsonl')}`);
  assert.deepEqual(d.rows.map((r) => [r.id, r.label, r.lang, r.split, r.line]), [
    ['train:1', '12', 'en', 'train', 1],
    ['train:3', '2200', 'en', 'train', 3],
    ['train:4', '-2', 'en', 'train', 4],
  ]);
  assert.equal(d.rows[0]!.text, 'Ravi has 3 bags of 4 marbles. How many marbles?');
  const other = fixtureDir({ 'my-math.jsonl': gsm('1 + 1?', '#### 2') + '\n' });
  assert.equal((await loadDataset(`gsm8k:${join(other, 'my-math.jsonl')}`)).rows[0]!.split, 'test');
});

test('GSM8K: a malformed line names file and line', async () => {
  const ok = gsm('1 + 1?', '1 + 1 = 2\n#### 2');
  const dir = fixtureDir({
    'json.jsonl': `${ok}\n{"question": "cut off\n`,
    'hashes.jsonl': `${ok}\n${gsm('2 + 2?', 'It is 4.')}\n`,
    'question.jsonl': `${ok}\n${JSON.stringify({ answer: '#### 3' })}\n`,
    'array.jsonl': `${ok}\n[1, 2]\n`,
  });
  const load = (name: string, lenient = false) => loadDataset(`gsm8k:${join(dir, name)}`, { lenient });
  await assert.rejects(load('json.jsonl'), /json\.jsonl:2: invalid JSON/);
  await assert.rejects(load('hashes.jsonl'), /hashes\.jsonl:2: field "answer": the last line must be "#### <number>"/);
  await assert.rejects(load('question.jsonl'), /question\.jsonl:2: field "question"/);
  await assert.rejects(load('array.jsonl'), /array\.jsonl:2: expected a JSON object/);
  const lenient = await load('hashes.jsonl', true);
  assert.equal(lenient.rows.length, 1);
  assert.deepEqual(lenient.skipped.map((s) => s.line), [2]);
});

test('MGSM: language from mgsm_XX.tsv, numeric answer with commas removed', async () => {
  const dir = fixtureDir({
    'mgsm_ja.tsv': 'りんごが3個と5個あります。全部で何個ですか？\t8\n倉庫に1,500箱あり、625箱届きました。何箱ですか？\t2,125\n',
    'mgsm_de.tsv': 'Lena hat 4 Stifte und "kauft" 2 dazu. Wie viele hat sie?\t6\n',
  });
  const ja = await loadDataset(`mgsm:${join(dir, 'mgsm_ja.tsv')}`);
  assert.deepEqual(ja.rows.map((r) => [r.id, r.label, r.lang, r.split]), [
    ['mgsm-1-ja', '8', 'ja', 'test'],
    ['mgsm-2-ja', '2125', 'ja', 'test'],
  ]);
  const de = await loadDataset(`mgsm:${join(dir, 'mgsm_de.tsv')}`);
  assert.equal(de.rows[0]!.text, 'Lena hat 4 Stifte und "kauft" 2 dazu. Wie viele hat sie?');
  assert.equal(mgsmLanguage('/data/mgsm/mgsm_zh.tsv'), 'zh');
  assert.equal(mgsmLanguage('/data/problems.tsv'), 'und');
});

test('MGSM: a malformed row names file and line', async () => {
  const dir = fixtureDir({ 'mgsm_es.tsv': 'Uno más uno\t2\nsin respuesta\nDos más dos\tcuatro\n' });
  await assert.rejects(loadDataset(`mgsm:${join(dir, 'mgsm_es.tsv')}`), /mgsm_es\.tsv:2: expected 2 tab-separated columns/);
  const lenient = await loadDataset(`mgsm:${join(dir, 'mgsm_es.tsv')}`, { lenient: true });
  assert.deepEqual(lenient.skipped, [
    { line: 2, reason: 'expected 2 tab-separated columns (question, answer), found 1' },
    { line: 3, reason: 'field "answer": expected a number, found "cuatro"' },
  ]);
});
