/**
 * Checks the project's emotion data (`datasets/emotion/emotion.csv`) for what hand-written rows get
 * wrong: leakage into the test split, duplicates, unknown tags, and a test split that moved.
 *
 *   node --import tsx scripts/check-emotion-data.ts [path]
 *
 * Prints the row counts per language × label × split and every finding; exits 1 when there is one.
 * Findings:
 *   - an exact duplicate (after normalisation) between any two rows;
 *   - character-3-gram Jaccard similarity above NEAR_DUPLICATE between a train/dev row and a test row
 *     (leakage: a paraphrase of a test row teaches the test), or between two train/dev rows
 *     (templated rows that add no variety); test/test pairs are the fixed test split and are not checked;
 *   - a tag outside TAGS;
 *   - test rows whose fingerprint differs from TEST_FINGERPRINT: the test split must never change, so
 *     results stay comparable across versions of the data.
 * tests/emotion-data.test.ts runs the same check on the committed file.
 */
import { pathToFileURL } from 'node:url';
import { loadDataset } from '../src/datasets/load.js';
import type { Row } from '../src/datasets/types.js';
import { sha256 } from '../src/util/hash.js';
import { pkgPath } from '../src/util/paths.js';

export const EMOTION_FILE = pkgPath('datasets', 'emotion', 'emotion.csv');
export const LABELS = ['joy', 'anger', 'sadness', 'surprise', 'neutral'] as const;
export const TAGS = ['negation', 'sarcasm', 'mixed', 'sad-topic-neutral', 'emoji', 'short', 'long'] as const;
/** Above this, two texts share most of their wording. */
export const NEAR_DUPLICATE = 0.6;
/** sha256 of the 600 test rows as written in the first version of the data (see testFingerprint). */
export const TEST_FINGERPRINT = 'ae623ea20a429ed100d8e36184ed4c33a11fd17cb6f7d83350b97cfd277ce852';

export interface Pair {
  a: Row;
  b: Row;
  similarity: number;
}

export interface DataCheck {
  counts: Map<string, number>;
  duplicates: Pair[];
  leaks: Pair[];
  nearDuplicates: Pair[];
  unknownTags: { row: Row; tag: string }[];
  testFingerprint: string;
}

/** NFKC folds full-width and half-width forms, so ＯＫ and OK compare equal. */
export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Character 3-grams over code points (a Japanese character or an emoji is one unit). */
export function trigrams(text: string): Set<string> {
  const cs = Array.from(normalise(text));
  const out = new Set<string>();
  if (cs.length < 3) out.add(cs.join(''));
  for (let i = 0; i + 3 <= cs.length; i++) out.add(cs.slice(i, i + 3).join(''));
  return out;
}

/** Every field of every test row, in file order: any edit, reorder, addition or removal changes it. */
export function testFingerprint(rows: readonly Row[]): string {
  return sha256(rows.filter((r) => r.split === 'test').map((r) => [r.id, r.text, r.label, r.lang, r.split, r.tags.join(';')].join('\t')).join('\n'));
}

export function checkRows(rows: readonly Row[]): DataCheck {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(`${r.lang}\t${r.label}\t${r.split}`, (counts.get(`${r.lang}\t${r.label}\t${r.split}`) ?? 0) + 1);

  const unknownTags = rows.flatMap((row) => row.tags.filter((t) => !(TAGS as readonly string[]).includes(t)).map((tag) => ({ row, tag })));

  const duplicates: Pair[] = [];
  const seen = new Map<string, Row>();
  for (const r of rows) {
    const key = normalise(r.text);
    const first = seen.get(key);
    if (first) duplicates.push({ a: first, b: r, similarity: 1 });
    else seen.set(key, r);
  }

  // An inverted index over 3-grams finds the pairs that share any 3-gram without comparing all
  // n² pairs; the shared counts give each candidate's Jaccard similarity exactly.
  const grams = rows.map((r) => trigrams(r.text));
  const postings = new Map<string, number[]>();
  grams.forEach((g, i) => {
    for (const t of g) {
      const list = postings.get(t);
      if (list) list.push(i);
      else postings.set(t, [i]);
    }
  });
  const leaks: Pair[] = [];
  const nearDuplicates: Pair[] = [];
  for (let i = 0; i < rows.length; i++) {
    const shared = new Map<number, number>();
    for (const t of grams[i]!) for (const j of postings.get(t)!) if (j > i) shared.set(j, (shared.get(j) ?? 0) + 1);
    for (const [j, n] of shared) {
      const similarity = n / (grams[i]!.size + grams[j]!.size - n);
      if (similarity <= NEAR_DUPLICATE || normalise(rows[i]!.text) === normalise(rows[j]!.text)) continue;
      const a = rows[i]!;
      const b = rows[j]!;
      const tests = Number(a.split === 'test') + Number(b.split === 'test');
      if (tests === 1) leaks.push({ a, b, similarity });
      else if (tests === 0) nearDuplicates.push({ a, b, similarity });
    }
  }
  return { counts, duplicates, leaks, nearDuplicates, unknownTags, testFingerprint: testFingerprint(rows) };
}

export function findings(c: DataCheck): string[] {
  const pair = (kind: string, p: Pair): string => `${kind} ${p.similarity.toFixed(2)}: ${p.a.id} (${p.a.split}) "${p.a.text}" ~ ${p.b.id} (${p.b.split}) "${p.b.text}"`;
  return [
    ...c.duplicates.map((p) => pair('duplicate', p)),
    ...c.leaks.map((p) => pair('leak', p)),
    ...c.nearDuplicates.map((p) => pair('near-duplicate', p)),
    ...c.unknownTags.map(({ row, tag }) => `unknown tag "${tag}" in ${row.id} (line ${row.line})`),
    ...(c.testFingerprint === TEST_FINGERPRINT ? [] : [`the test split changed: fingerprint ${c.testFingerprint}, expected ${TEST_FINGERPRINT}`]),
  ];
}

/** Rows per language × label, one column per split. */
export function countTable(counts: Map<string, number>): string {
  const splits = [...new Set([...counts.keys()].map((k) => k.split('\t')[2]!))].sort();
  const langs = [...new Set([...counts.keys()].map((k) => k.split('\t')[0]!))].sort();
  const lines = [['lang', 'label', ...splits, 'total'].join('\t')];
  for (const lang of langs) {
    for (const label of LABELS) {
      const n = splits.map((s) => counts.get(`${lang}\t${label}\t${s}`) ?? 0);
      lines.push([lang, label, ...n, n.reduce((x, y) => x + y, 0)].join('\t'));
    }
  }
  const all = splits.map((s) => [...counts].filter(([k]) => k.endsWith(`\t${s}`)).reduce((x, [, n]) => x + n, 0));
  lines.push(['all', '', ...all, all.reduce((x, y) => x + y, 0)].join('\t'));
  return lines.join('\n');
}

async function main(): Promise<void> {
  const path = process.argv[2] ?? EMOTION_FILE;
  const { rows } = await loadDataset(`csv:${path}`, { labels: [...LABELS] });
  const c = checkRows(rows);
  const found = findings(c);
  console.log(countTable(c.counts));
  console.log(`\n${rows.length} rows; ${c.duplicates.length} exact duplicates, ${c.leaks.length} train/dev~test pairs and ${c.nearDuplicates.length} train/dev~train/dev pairs above ${NEAR_DUPLICATE} 3-gram Jaccard, ${c.unknownTags.length} unknown tags; test split ${c.testFingerprint === TEST_FINGERPRINT ? 'unchanged' : 'CHANGED'}`);
  for (const f of found) console.log(f);
  process.exitCode = found.length > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
