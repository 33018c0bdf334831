import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../src/datasets/load.js';
import { UserError } from '../src/errors.js';
import { fixtureDir } from './helpers/cli.js';

const labels = ['joy', 'anger'];
const header = 'id,text,label,lang,split\n';

async function loadError(content: string, name = 'd.csv', lenient = false): Promise<string> {
  const dir = fixtureDir({ [name]: content });
  try {
    await loadDataset(join(dir, name), { labels, lenient });
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    return e.message;
  }
  assert.fail('expected an error');
}

test('loads CSV with quoted commas, newlines, BOM and defaults', async () => {
  const dir = fixtureDir({
    'd.csv': `\ufeff${header}1,"Hello, world",joy,en,train\n2,"two\nlines ""quoted""",anger,,\n`,
  });
  const d = await loadDataset(join(dir, 'd.csv'), { labels });
  assert.equal(d.rows.length, 2);
  assert.equal(d.rows[0]!.text, 'Hello, world');
  assert.equal(d.rows[1]!.text, 'two\nlines "quoted"');
  assert.equal(d.rows[1]!.lang, 'und');
  assert.equal(d.rows[1]!.split, 'test');
  assert.equal(d.format, 'csv');
  assert.match(d.sha256, /^[0-9a-f]{64}$/);
});

test('unknown label: file:line and the allowed labels', async () => {
  const msg = await loadError(`${header}1,ok,joy,en,test\n2,meh,boredom,en,test\n`);
  assert.match(msg, /d\.csv:3: field "label": unknown label "boredom" \(id 2\); expected one of joy, anger/);
});

test('empty text, duplicate id, wrong column count, missing header column', async () => {
  assert.match(await loadError(`${header}1,,joy,en,test\n`), /d\.csv:2: field "text" is empty/);
  assert.match(await loadError(`${header}1,a,joy,en,test\n1,b,joy,en,test\n`), /d\.csv:3: field "id": duplicate id "1"/);
  assert.match(await loadError(`${header}1,a,joy,en\n`), /d\.csv:2: expected 5 columns \(id, text, label, lang, split\), found 4/);
  assert.match(await loadError('id,body,label\n1,a,joy\n'), /d\.csv:1: header lacks column "text"/);
  assert.match(await loadError(''), /empty file/);
});

test('malformed CSV quoting names the line', async () => {
  assert.match(await loadError(`${header}1,"unclosed,joy,en,test\n`), /d\.csv:\d+: malformed CSV/);
});

// A quote that never closes swallows the rest of the file: csv-parse notices only at the end.
const unclosed = `\ufeff${header}1,"two\nlines",joy,en,test\n\n2,"I am so angry,anger,en,test\n3,fine,joy,en,test\n4,"bad"x,anger,en,test\n5,"also open,joy,en,test\n6,ok,anger,en,test\n`;

test('an unclosed quote is reported at the line where it opens, not at the end of the file', async () => {
  assert.match(await loadError(unclosed), /^\S*d\.csv:5: malformed CSV: a quoted field of the record starting on this line is followed by other characters on line 7/);
  assert.match(await loadError(`${header}1,ok,joy,en,test\n2,"open,joy,en,test\n3,a,joy,en,test\n4,b,joy,en,test\n`), /d\.csv:3: malformed CSV: the quoted field that opens on this line is never closed/);
});

test('lenient mode skips a broken quote and reads on from the next line', async () => {
  const dir = fixtureDir({ 'd.csv': unclosed });
  const d = await loadDataset(join(dir, 'd.csv'), { labels, lenient: true });
  assert.deepEqual(d.rows.map((r) => r.id), ['1', '3', '6']);
  assert.deepEqual(d.rows.map((r) => r.text), ['two\nlines', 'fine', 'ok']);
  assert.deepEqual(d.skipped.map((s) => s.line), [5, 7, 8]);
  assert.match(d.skipped[2]!.reason, /never closed/);
});

test('lenient mode skips and counts bad rows', async () => {
  const dir = fixtureDir({ 'd.csv': `${header}1,ok,joy,en,test\n2,meh,boredom,en,test\n3,,joy,en,test\n4,fine,anger,en,test\n` });
  const d = await loadDataset(join(dir, 'd.csv'), { labels, lenient: true });
  assert.deepEqual(d.rows.map((r) => r.id), ['1', '4']);
  assert.deepEqual(d.skipped.map((s) => s.line), [3, 4]);
});

test('JSONL: bad JSON line and non-object named by line', async () => {
  assert.match(await loadError('{"id":"1","text":"a","label":"joy"}\n{oops\n', 'd.jsonl'), /d\.jsonl:2: invalid JSON/);
  assert.match(await loadError('\n[1,2]\n', 'd.jsonl'), /d\.jsonl:2: expected a JSON object per line/);
  const dir = fixtureDir({ 'x.jsonl': '{"id":1,"text":"a","label":"joy","lang":"ja","split":"train","tags":"emoji;short"}\n' });
  const d = await loadDataset(`jsonl:${join(dir, 'x.jsonl')}`, { labels });
  assert.deepEqual(d.rows[0], { id: '1', text: 'a', label: 'joy', lang: 'ja', split: 'train', tags: ['emoji', 'short'], line: 1 });
});

test('format prefixes and unknown formats', async () => {
  const dir = fixtureDir({ 'data.txt': `${header}1,a,joy,en,test\n` });
  const d = await loadDataset(`csv:${join(dir, 'data.txt')}`, { labels });
  assert.equal(d.rows.length, 1);
  await assert.rejects(loadDataset(join(dir, 'data.txt')), /unknown format "txt"/);
  await assert.rejects(loadDataset(`csv:${join(dir, 'missing.csv')}`), /no such file/);
});

test('streams a large file without trouble', async () => {
  const dir = fixtureDir({});
  const lines = [header];
  for (let i = 0; i < 50_000; i++) lines.push(`${i},text number ${i},${i % 2 ? 'joy' : 'anger'},en,test\n`);
  writeFileSync(join(dir, 'big.csv'), lines.join(''));
  const d = await loadDataset(join(dir, 'big.csv'), { labels });
  assert.equal(d.rows.length, 50_000);
  assert.equal(d.rows[49_999]!.line, 50_001);
});
