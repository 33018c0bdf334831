import { basename } from 'node:path';
import type { Row } from '../types.js';
import type { RowValidator } from '../validate.js';
import { tsvLines } from './lines.js';

/** mgsm_ja.tsv → ja; a file not named mgsm_XX.tsv has no known language. */
export function mgsmLanguage(path: string): string {
  return /^mgsm_([a-z]{2,3})\.tsv$/i.exec(basename(path))?.[1]?.toLowerCase() ?? 'und';
}

/**
 * MGSM (google-research/url-nlp): the same 250 GSM8K problems per language, one TSV file per
 * language, no header: question, numeric answer (thousands commas allowed). Rows: label = the
 * answer without commas; the id is `mgsm-<line>` plus the language, so one problem has the same
 * line (and id stem) in every language and results can be paired across them.
 */
export async function* readMgsm(path: string, v: RowValidator): AsyncGenerator<Row> {
  const lang = mgsmLanguage(path);
  for await (const [line, f] of tsvLines(path)) {
    if (f.length !== 2) {
      v.reject(line, `expected 2 tab-separated columns (question, answer), found ${f.length}`);
      continue;
    }
    const [question, answer] = f as [string, string];
    const gold = /^\s*(-?[\d,]+(?:\.\d+)?)\s*$/.exec(answer)?.[1]?.replace(/,/g, '');
    if (gold === undefined) {
      v.reject(line, `field "answer": expected a number, found "${answer.slice(0, 40)}"`);
      continue;
    }
    const row = v.add({ line, fields: { id: `mgsm-${line}-${lang}`, text: question, label: gold, lang, split: 'test' } });
    if (row) yield row;
  }
}
