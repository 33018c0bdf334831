import { basename } from 'node:path';
import type { Row } from '../types.js';
import type { RowValidator } from '../validate.js';
import { singleClass, tsvLines, type Emotion5 } from './lines.js';

/**
 * XED (Plutchik's 8 emotions, multi-label). Two layouts:
 *  - annotated / projection files: text, comma-separated labels (1 anger, 2 anticipation, 3 disgust,
 *    4 fear, 5 joy, 6 sadness, 7 surprise, 8 trust);
 *  - neutral files (neu_XX.txt): label, text — the label column reads 9 (XED's README says 0; both accepted).
 * Mapping: 5 → joy, 1 → anger, 6 → sadness, 7 → surprise, neutral files → neutral; rows carrying
 * anticipation, disgust, fear or trust, or labels of different classes, are dropped. Projection files
 * (XX-projections.tsv, as XED ships them) also hold stray metadata lines with more columns and stray
 * one-column lines (text with no labels, e.g. de-projections.tsv:2077): both are dropped and counted;
 * elsewhere a one-column line is an error.
 */
const PLUTCHIK_TO_5: Record<string, Emotion5 | null> = { '1': 'anger', '2': null, '3': null, '4': null, '5': 'joy', '6': 'sadness', '7': 'surprise', '8': null };

/** en-annotated.tsv → en, neu_fi.txt → fi, ja-projections.tsv → ja, cn-/tw- (Chinese) → zh. */
export function xedLanguage(path: string): string {
  const m = /^(?:neu_)?([a-z]{2})[-_.]/.exec(basename(path));
  const code = m?.[1] ?? 'und';
  return code === 'cn' || code === 'tw' ? 'zh' : code;
}

export async function* readXed(path: string, v: RowValidator): AsyncGenerator<Row> {
  const lang = xedLanguage(path);
  const neutralFile = /^neu_/.test(basename(path));
  const stem = basename(path).replace(/\.[a-z]+$/, '');
  const projection = /-projections\./.test(basename(path));
  for await (const [line, f] of tsvLines(path)) {
    if (f.length !== 2) {
      if (f.length > 2 || projection) v.drop();
      else v.reject(line, `expected 2 tab-separated columns, found ${f.length}`);
      continue;
    }
    const id = `${stem}:${line}`;
    if (neutralFile) {
      const [label, text] = f as [string, string];
      if (label.trim() !== '9' && label.trim() !== '0') {
        v.reject(line, `field "label": expected 9 (or 0) in a neutral file, found "${label}"`);
        continue;
      }
      const row = v.add({ line, fields: { id, text, label: 'neutral', lang, split: 'test' } });
      if (row) yield row;
      continue;
    }
    const [text, labels] = f as [string, string];
    const codes = labels.split(',').map((s) => s.trim());
    const unknown = codes.find((c) => !(c in PLUTCHIK_TO_5));
    if (unknown !== undefined) {
      v.reject(line, `field "labels": unknown XED label "${unknown}" (expected 1-8)`);
      continue;
    }
    const label = singleClass(codes.map((c) => PLUTCHIK_TO_5[c]!));
    if (label === null) {
      v.drop();
      continue;
    }
    const row = v.add({ line, fields: { id, text, label, lang, split: 'test' } });
    if (row) yield row;
  }
}
