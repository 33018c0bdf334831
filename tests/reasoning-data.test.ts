import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../src/datasets/load.js';
import { makeReasoning, PARALLEL_FILE, REASONING_FILE, toJsonl, type ReasoningRow } from '../scripts/make-reasoning.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const committed = (file: string): string => readFileSync(join(root, file), 'utf8');
const { reasoning, parallel } = makeReasoning();

test('the generator reproduces the committed files byte for byte', () => {
  assert.equal(committed(REASONING_FILE), toJsonl(reasoning), `${REASONING_FILE} differs: rerun node --import tsx scripts/make-reasoning.ts`);
  assert.equal(committed(PARALLEL_FILE), toJsonl(parallel), `${PARALLEL_FILE} differs: rerun node --import tsx scripts/make-reasoning.ts`);
});

/** + - * / and brackets over decimal literals, with the usual precedence. */
function evaluate(expr: string): { value: number; ops: number; literals: number[] } {
  const toks = expr.match(/\d+(?:\.\d+)?|[-+*/()]/g)!;
  assert.equal(toks.join(''), expr.replace(/\s+/g, ''), `unexpected characters in "${expr}"`);
  let i = 0;
  let ops = 0;
  const literals: number[] = [];
  const atom = (): number => {
    const t = toks[i++];
    if (t === '(') {
      const v = sum();
      assert.equal(toks[i++], ')');
      return v;
    }
    assert.match(t ?? '', /^\d/, `expected a number in "${expr}"`);
    literals.push(Number(t));
    return Number(t);
  };
  const product = (): number => {
    let v = atom();
    while (toks[i] === '*' || toks[i] === '/') {
      const op = toks[i++];
      const r = atom();
      ops++;
      v = op === '*' ? v * r : v / r;
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (toks[i] === '+' || toks[i] === '-') {
      const op = toks[i++];
      const r = product();
      ops++;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const value = sum();
  assert.equal(i, toks.length, `trailing tokens in "${expr}"`);
  return { value, ops, literals };
}

/** The numbers a problem states, read the way its language writes them (12,500 / 12 500; 2.5 / 2,5). */
function statedNumbers(text: string, lang: string): number[] {
  if (lang === 'es') return (text.match(/\d{1,3}(?:\u00a0\d{3})+(?:,\d+)?|\d+(?:,\d+)?/g) ?? []).map((s) => Number(s.replace(/\u00a0/g, '').replace(',', '.')));
  return (text.match(/\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/g) ?? []).map((s) => Number(s.replace(/,/g, '')));
}

test('every arithmetic answer recomputes from the numbers the problem states', () => {
  const arith = [...reasoning, ...parallel].filter((r) => r.kind === 'arith');
  assert.equal(arith.length, 2000);
  const problems: string[] = [];
  for (const r of arith) {
    const { value, ops, literals } = evaluate(r.work!);
    const stated = new Set(statedNumbers(r.text, r.lang));
    if (Number(r.label) !== value || String(value) !== r.label) problems.push(`${r.id}: ${r.work} = ${value}, label ${r.label}`);
    if (ops !== r.difficulty) problems.push(`${r.id}: ${ops} operations, difficulty ${r.difficulty}`);
    for (const x of literals) if (!stated.has(x)) problems.push(`${r.id}: ${x} is not stated in "${r.text}"`);
  }
  assert.deepEqual(problems, []);
});

test('the parallel problems share numbers and answers across en, ja and es', () => {
  const english = new Map(reasoning.filter((r) => r.kind === 'arith').map((r) => [r.id, r]));
  const byStem = new Map<string, ReasoningRow[]>();
  for (const r of parallel) {
    const stem = r.id.replace(/-(en|ja|es)$/, '');
    assert.equal(r.id, `${stem}-${r.lang}`);
    byStem.set(stem, [...(byStem.get(stem) ?? []), r]);
  }
  assert.equal(byStem.size, english.size);
  for (const [stem, rows] of byStem) {
    const en = english.get(stem)!;
    assert.deepEqual(rows.map((r) => r.lang), ['en', 'ja', 'es']);
    for (const r of rows) assert.deepEqual([r.label, r.work, r.difficulty, r.split], [en.label, en.work, en.difficulty, en.split], r.id);
    assert.equal(rows[0]!.text, en.text);
    assert.match(rows[1]!.text, /[\u3040-\u30ff]/u, `${stem}-ja is not Japanese`);
  }
});

test('sizes, splits and balance', () => {
  const count = (f: (r: ReasoningRow) => boolean): number => reasoning.filter(f).length;
  for (let d = 1; d <= 5; d++) {
    assert.ok(count((r) => r.kind === 'arith' && r.difficulty === d && r.split === 'test') >= 60, `difficulty ${d}`);
    assert.ok(count((r) => r.kind === 'arith' && r.difficulty === d && r.split === 'train') >= 5, `train, difficulty ${d}`);
  }
  for (const tag of ['decimal', 'negative', 'large']) assert.ok(count((r) => r.tags.split(';').includes(tag)) >= 10, tag);
  const logic = reasoning.filter((r) => r.kind === 'logic');
  assert.ok(logic.length >= 100);
  const letters = new Map<string, number>();
  for (const r of logic) letters.set(r.label, (letters.get(r.label) ?? 0) + 1);
  assert.deepEqual([...letters.keys()].sort(), ['A', 'B', 'C', 'D']);
  assert.ok(Math.max(...letters.values()) - Math.min(...letters.values()) <= 1, 'correct letters are balanced');
  const qa = count((r) => r.kind === 'qa');
  assert.ok(qa >= 50 && qa <= 70);
  assert.equal(new Set(reasoning.map((r) => r.text)).size, reasoning.length, 'no repeated item');
});

// Each loop over rows picked by a pattern also checks how many it saw: a pattern that stops matching
// (a renamed tag, say) must fail the test rather than pass it vacuously.
test('logic items: four distinct options, listed in the text, the label naming the correct one', () => {
  const logic = reasoning.filter((x) => x.kind === 'logic');
  assert.equal(logic.length, 150);
  for (const r of logic) {
    const choices = r.choices!;
    assert.equal(choices.length, 4, r.id);
    assert.equal(new Set(choices).size, 4, r.id);
    assert.ok(r.text.endsWith(choices.map((c, i) => `${'ABCD'[i]}) ${c}`).join('\n')), r.id);
  }
});

test('ordering and comparison answers follow from the clues', () => {
  const picked = reasoning.filter((x) => /;(ordering|comparison);/.test(x.tags));
  assert.deepEqual([picked.filter((r) => r.tags.includes(';ordering;')).length, picked.filter((r) => r.tags.includes(';comparison;')).length], [50, 50]);
  for (const r of picked) {
    const answer = r.choices!['ABCD'.indexOf(r.label)]!;
    assert.equal(solve(r.text), answer, r.id);
  }
});

/**
 * An independent solver for the ordering and comparison items: reads each clue as a difference
 * (ordering clues as "one step"), propagates values from the clues, and answers the question.
 */
function solve(text: string): string {
  const body = text.split('\n')[0]!;
  const diffs: [string, string, number][] = [];
  for (const sentence of body.split(/(?<=\.) /)) {
    const d = /^(.+?) (?:is|weighs) (\d+) (?:years?|kg) (older|younger|more|less) than (.+)\.$/.exec(sentence);
    if (d) diffs.push([d[1]!.replace(/^The /, 'the '), d[4]!, Number(d[2]) * (d[3] === 'older' || d[3] === 'more' ? 1 : -1)]);
    const o = /^(\w+) (finished ahead of|finished behind|is taller than|is shorter than|arrived before|arrived after) (\w+)\.$/.exec(sentence);
    if (o) diffs.push([o[1]!, o[3]!, ['finished ahead of', 'is taller than', 'arrived before'].includes(o[2]!) ? 1 : -1]);
  }
  const value = new Map<string, number>([[diffs[0]![1], 0]]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [a, b, k] of diffs) {
      if (value.has(b) && !value.has(a)) value.set(a, value.get(b)! + k), (changed = true);
      else if (value.has(a) && !value.has(b)) value.set(b, value.get(a)! - k), (changed = true);
    }
  }
  const ranked = [...value.entries()].sort((x, y) => y[1] - x[1]).map(([name]) => name);
  const q = /(Who|Which box) (?:is|finished|arrived) (?:the )?(\w+)(?: tallest)?\?$/.exec(body)!;
  const word = q[2]!;
  if (['oldest', 'heaviest', 'tallest', 'first'].includes(word)) return ranked[0]!;
  if (['youngest', 'lightest', 'shortest', 'last'].includes(word)) return ranked[ranked.length - 1]!;
  return ranked[['first', 'second', 'third', 'fourth', 'fifth'].indexOf(word)]!;
}

test('exactly one syllogism option must be true (checked over every Venn diagram)', () => {
  const syllogisms = reasoning.filter((x) => /;syllogism;/.test(x.tags));
  assert.equal(syllogisms.length, 50);
  for (const r of syllogisms) {
    const premises = /: (.+) Which of the following/.exec(r.text)![1]!.split(/(?<=\.) /);
    const terms = [...new Set(premises.flatMap((p) => parseStatement(p)!.slice(1, 3) as string[]))];
    // A world says which of the 8 regions of the Venn diagram are inhabited; every term is.
    const worlds = [...Array(256).keys()].filter((w) => terms.every((_, t) => regions(w).some((reg) => reg & (1 << t))));
    const holds = (statement: string, w: number): boolean => {
      const [q, x, y, not] = parseStatement(statement)!;
      const [bx, by] = [1 << terms.indexOf(x), 1 << terms.indexOf(y)];
      const some = (f: (reg: number) => boolean) => regions(w).some(f);
      if (q === 'All') return !some((reg) => (reg & bx) !== 0 && (reg & by) === 0);
      if (q === 'No') return !some((reg) => (reg & bx) !== 0 && (reg & by) !== 0);
      return some((reg) => (reg & bx) !== 0 && ((reg & by) !== 0) !== not);
    };
    const possible = worlds.filter((w) => premises.every((p) => holds(p, w)));
    const statements = r.choices!.filter((c) => parseStatement(c));
    const forced = statements.filter((c) => possible.every((w) => holds(c, w)));
    const expected = forced.length === 0 ? r.choices!.find((c) => !parseStatement(c)) : forced[0];
    assert.ok(forced.length <= 1, `${r.id}: ${forced.join(' / ')} all follow`);
    assert.equal(r.choices!['ABCD'.indexOf(r.label)], expected, r.id);
  }
});

function parseStatement(s: string): [string, string, string, boolean] | null {
  const m = /^(All|No|Some) (\w+) are (not )?(\w+)\.$/.exec(s);
  return m ? [m[1]!, m[2]!, m[4]!, m[3] !== undefined] : null;
}

function regions(world: number): number[] {
  return [...Array(8).keys()].filter((reg) => world & (1 << reg));
}

test('the committed files load as datasets, tags and all', async () => {
  const r = await loadDataset(`jsonl:${join(root, REASONING_FILE)}`);
  assert.equal(r.rows.length, reasoning.length);
  assert.deepEqual(r.rows[0]!.tags, reasoning[0]!.tags.split(';'));
  const p = await loadDataset(`jsonl:${join(root, PARALLEL_FILE)}`);
  assert.deepEqual([...new Set(p.rows.map((x) => x.lang))], ['en', 'ja', 'es']);
});
