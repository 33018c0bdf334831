import type { Row } from '../datasets/types.js';
import { extractChoice } from './choice.js';
import { labelExtractor } from './label.js';
import { extractNumber, numbersEqual, parseNumber } from './number.js';

/** How a suite turns a model's text into an answer, and when that answer is right. */
export interface Answerer {
  extract(output: string, row: Row): string | null;
  correct(pred: string | null, row: Row): boolean;
}

export type ExtractType = 'label' | 'number' | 'choice' | 'text' | 'auto';

const norm = (s: string) => s.normalize('NFKC').toLowerCase().replace(/[*_`"'“”.,!?。、！？]/g, ' ').replace(/\s+/g, ' ').trim();

/**
 * Short free-text answers (knowledge QA): the text after the last "answer is"/"答えは" cue, else the
 * first line; right when it contains the gold answer as whole words.
 */
function extractText(output: string): string | null {
  const cue = /(?:answer\s*(?:is|:)|答えは|回答は|respuesta\s*(?:es|:))\s*/giu;
  let end = -1;
  for (const m of output.matchAll(cue)) end = m.index + m[0].length;
  const tail = end >= 0 ? output.slice(end) : output;
  const line = tail.split('\n').map((l) => l.trim()).find((l) => l !== '');
  return line ? line.slice(0, 200) : null;
}

function containsWords(haystack: string, needle: string): boolean {
  const h = ` ${norm(haystack)} `;
  const n = norm(needle);
  if (n === '') return false;
  // CJK answers have no word boundaries; Latin ones must stand as words.
  return /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(n) ? h.includes(n) : h.includes(` ${n} `);
}

export function answerer(type: ExtractType, labels: readonly string[] = [], aliases: Readonly<Record<string, readonly string[]>> = {}): Answerer {
  const label = labelExtractor(labels, aliases);
  const byRow = (row: Row): Exclude<ExtractType, 'auto'> => {
    if (type !== 'auto') return type;
    if (row.choices && row.choices.length > 0) return 'choice';
    return parseNumber(row.label) !== null ? 'number' : 'text';
  };
  return {
    extract(output, row) {
      switch (byRow(row)) {
        case 'label':
          return label.extract(output);
        case 'number':
          return extractNumber(output, { lang: row.lang });
        case 'choice':
          return extractChoice(output, row.choices);
        case 'text':
          return extractText(output);
      }
    },
    correct(pred, row) {
      if (pred === null) return false;
      switch (byRow(row)) {
        case 'number':
          return numbersEqual(pred, row.label);
        case 'choice':
          return pred.toUpperCase() === row.label.toUpperCase();
        case 'text':
          return containsWords(pred, row.label);
        case 'label':
          return pred === row.label;
      }
    },
  };
}
