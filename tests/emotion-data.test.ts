import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { loadDataset } from '../src/datasets/load.js';
import type { Row } from '../src/datasets/types.js';
import { checkRows, EMOTION_FILE, findings, LABELS, TEST_FINGERPRINT, testFingerprint } from '../scripts/check-emotion-data.js';
import { ROOT } from './helpers/cli.js';

const { rows } = await loadDataset(`csv:${EMOTION_FILE}`, { labels: [...LABELS] });

test('the committed emotion data passes the leakage and duplicate check, and its test split is the original one (the README command)', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-emotion-data.ts'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /0 exact duplicates, 0 train\/dev~test pairs and 0 train\/dev~train\/dev pairs above 0\.6 3-gram Jaccard, 0 unknown tags; test split unchanged/);
});

test('600 test rows, 60 per language and label; train and dev rows for every language and label, roughly balanced', () => {
  const count = (f: (r: Row) => boolean): number => rows.filter(f).length;
  for (const lang of ['en', 'ja']) {
    const own = count((r) => r.lang === lang && r.split !== 'test');
    assert.ok(own >= (lang === 'ja' ? 2300 : 1300), `${lang}: ${own} train/dev rows`);
    for (const label of LABELS) {
      assert.equal(count((r) => r.lang === lang && r.label === label && r.split === 'test'), 60, `${lang} ${label} test`);
      const n = count((r) => r.lang === lang && r.label === label && r.split !== 'test');
      assert.ok(n >= 0.15 * own && n <= 0.25 * own, `${lang} ${label}: ${n} of ${own} train/dev rows`);
      const dev = count((r) => r.lang === lang && r.label === label && r.split === 'dev');
      assert.ok(dev >= 0.05 * n && dev <= 0.15 * n, `${lang} ${label}: ${dev} dev rows of ${n}`);
    }
  }
  assert.deepEqual([...new Set(rows.map((r) => r.split))].sort(), ['dev', 'test', 'train']);
});

test('the check finds a duplicate, a paraphrased test row, templated rows, an unknown tag and an edited test split', () => {
  const row = (id: string, text: string, split: string, tags: string[] = []): Row => ({ id, text, label: 'joy', lang: 'en', split, tags, line: 0 });
  const base = [
    row('t1', 'The hotel upgraded us to a suite with a view of the harbour.', 'test'),
    row('t2', 'Completely unrelated words about a broken kettle.', 'test'),
  ];
  const clean = checkRows([...base, row('a', 'Our cat finally learned to use the flap.', 'train')]);
  assert.deepEqual([clean.duplicates, clean.leaks, clean.nearDuplicates, clean.unknownTags].map((x) => x.length), [0, 0, 0, 0]);

  const c = checkRows([
    ...base,
    row('a', 'The hotel upgraded us to a suite with a view of the harbour!', 'train'),
    row('b', 'So happy about my new bike today.', 'train', ['irony']),
    row('c', 'So happy about my new bike today!!', 'dev'),
    row('d', 'so  HAPPY about my new bike today.', 'train'),
  ]);
  assert.deepEqual(c.leaks.map((p) => [p.a.id, p.b.id]), [['t1', 'a']]);
  assert.deepEqual(c.duplicates.map((p) => [p.a.id, p.b.id]), [['b', 'd']]);
  assert.deepEqual(c.nearDuplicates.map((p) => [p.a.id, p.b.id]), [['b', 'c'], ['c', 'd']]);
  assert.deepEqual(c.unknownTags.map((u) => [u.row.id, u.tag]), [['b', 'irony']]);

  const victim = rows.find((r) => r.split === 'test')!;
  const edited = rows.map((r) => (r === victim ? { ...r, text: `${r.text} ` } : r));
  assert.equal(testFingerprint(rows), TEST_FINGERPRINT);
  assert.notEqual(testFingerprint(edited), TEST_FINGERPRINT);
  assert.match(findings(checkRows(edited.filter((r) => r.split === 'test'))).join('\n'), /the test split changed/);
});
