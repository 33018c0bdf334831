/**
 * Optional augmentation (`--augment polarity,rebalance`), applied once to the training rows
 * before tokenisation, with a seeded generator.
 *
 * polarity — the article's "polarity-flipped pseudo-examples". For every joy or sadness row that
 *   contains at least one word of the antonym lexicon below, a copy is added in which every such
 *   word is swapped for its antonym (whole words, case kept for a leading capital; Japanese by
 *   substring), and the label is flipped joy ↔ sadness. Anger, surprise and neutral rows are not
 *   flipped: their opposite is not one of the five classes. Rows with no lexicon word get no copy.
 * rebalance — within each language, rows of every class but the largest are repeated (seeded draws)
 *   until each class has as many rows as the largest: oversampling, nothing is dropped.
 */
import { EMOTIONS } from '../scratch/config.js';
import { UserError } from '../errors.js';
import { mulberry32 } from '../util/rng.js';
import type { Example } from './data.js';

export const AUGMENTATIONS = ['polarity', 'rebalance'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];

export function parseAugment(raw: string | undefined): Augmentation[] {
  if (raw === undefined || raw.trim() === '') return [];
  const names = raw.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(AUGMENTATIONS as readonly string[]).includes(n)) throw new UserError(`--augment: unknown augmentation "${n}" (known: ${AUGMENTATIONS.join(', ')})`);
  }
  return [...new Set(names)] as Augmentation[];
}

const EN_PAIRS: [string, string][] = [
  ['happy', 'sad'], ['happiest', 'saddest'], ['glad', 'sorry'], ['love', 'hate'], ['loved', 'hated'], ['loves', 'hates'],
  ['great', 'terrible'], ['good', 'bad'], ['best', 'worst'], ['better', 'worse'], ['wonderful', 'awful'],
  ['amazing', 'miserable'], ['excited', 'depressed'], ['joy', 'grief'], ['won', 'lost'], ['win', 'lose'],
  ['success', 'failure'], ['perfect', 'broken'], ['fun', 'boring'], ['cheerful', 'gloomy'], ['thrilled', 'devastated'],
  ['delighted', 'heartbroken'], ['lucky', 'unlucky'], ['hope', 'despair'], ['smile', 'cry'], ['laughed', 'cried'],
];
const JA_PAIRS: [string, string][] = [
  ['嬉しい', '悲しい'], ['うれしい', 'かなしい'], ['楽しい', 'つまらない'], ['好き', '嫌い'], ['最高', '最悪'],
  ['幸せ', '不幸'], ['良かった', '残念だった'], ['よかった', 'ざんねんだった'], ['合格', '不合格'], ['勝った', '負けた'],
  ['笑', '泣'], ['喜', '悲'],
];

const EN_SWAP = new Map<string, string>(EN_PAIRS.flatMap(([a, b]) => [[a, b], [b, a]] as [string, string][]));
const EN_WORD = new RegExp(`\\b(${[...EN_SWAP.keys()].join('|')})\\b`, 'gi');
const JA_SWAP = new Map<string, string>(JA_PAIRS.flatMap(([a, b]) => [[a, b], [b, a]] as [string, string][]));
// Longest first, so 嬉しい is matched before a shorter entry inside it.
const JA_WORD = new RegExp([...JA_SWAP.keys()].sort((a, b) => b.length - a.length).join('|'), 'g');

const JOY = EMOTIONS.indexOf('joy');
const SADNESS = EMOTIONS.indexOf('sadness');

/** The flipped text, or undefined when no lexicon word occurs. */
export function flipPolarity(text: string): string | undefined {
  let changed = false;
  const en = text.replace(EN_WORD, (w) => {
    const to = EN_SWAP.get(w.toLowerCase());
    if (to === undefined) return w;
    changed = true;
    return w[0] !== w[0]!.toLowerCase() ? to[0]!.toUpperCase() + to.slice(1) : to;
  });
  const out = en.replace(JA_WORD, (w) => {
    changed = true;
    return JA_SWAP.get(w)!;
  });
  return changed ? out : undefined;
}

export function augment(rows: readonly Example[], which: readonly Augmentation[], seed: number): Example[] {
  let out = [...rows];
  if (which.includes('polarity')) {
    for (const r of rows) {
      if (r.label !== JOY && r.label !== SADNESS) continue;
      const text = flipPolarity(r.text);
      if (text !== undefined) out.push({ ...r, text, label: r.label === JOY ? SADNESS : JOY, source: `${r.source}+polarity` });
    }
  }
  if (which.includes('rebalance')) out = rebalance(out, seed);
  return out;
}

function rebalance(rows: Example[], seed: number): Example[] {
  const rand = mulberry32((seed ^ 0x5eed) >>> 0);
  const byLang = new Map<string, Example[][]>();
  for (const r of rows) {
    if (!byLang.has(r.lang)) byLang.set(r.lang, EMOTIONS.map(() => []));
    byLang.get(r.lang)![r.label]!.push(r);
  }
  const out = [...rows];
  for (const lang of [...byLang.keys()].sort()) {
    const classes = byLang.get(lang)!;
    const target = Math.max(...classes.map((c) => c.length));
    for (const c of classes) {
      for (let n = c.length; n > 0 && n < target; n++) out.push(c[Math.floor(rand() * c.length)]!);
    }
  }
  return out;
}
