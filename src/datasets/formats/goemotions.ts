import type { Row } from '../types.js';
import type { RowValidator } from '../validate.js';
import { singleClass, tsvLines, type Emotion5 } from './lines.js';

/**
 * GoEmotions TSV (no header): text, comma-separated label ids (0-based into the 28 names below),
 * comment id. The 27 emotions are grouped as GoEmotions' own Ekman mapping does; disgust, fear and
 * nervousness have no class among our five, so rows carrying them are dropped, as are rows whose
 * labels fall into different classes.
 */
export const GOEMOTIONS_LABELS = [
  'admiration', 'amusement', 'anger', 'annoyance', 'approval', 'caring', 'confusion', 'curiosity', 'desire',
  'disappointment', 'disapproval', 'disgust', 'embarrassment', 'excitement', 'fear', 'gratitude', 'grief', 'joy',
  'love', 'nervousness', 'optimism', 'pride', 'realization', 'relief', 'remorse', 'sadness', 'surprise', 'neutral',
] as const;

const GROUPS: Record<Emotion5, readonly string[]> = {
  joy: ['joy', 'amusement', 'approval', 'excitement', 'gratitude', 'love', 'optimism', 'relief', 'pride', 'admiration', 'desire', 'caring'],
  anger: ['anger', 'annoyance', 'disapproval'],
  sadness: ['sadness', 'disappointment', 'embarrassment', 'grief', 'remorse'],
  surprise: ['surprise', 'realization', 'confusion', 'curiosity'],
  neutral: ['neutral'],
};

export const GOEMOTIONS_TO_5: ReadonlyMap<string, Emotion5> = new Map(
  (Object.entries(GROUPS) as [Emotion5, readonly string[]][]).flatMap(([cls, names]) => names.map((n) => [n, cls] as const)),
);

export async function* readGoEmotions(path: string, v: RowValidator): AsyncGenerator<Row> {
  for await (const [line, f] of tsvLines(path)) {
    if (f.length !== 3) {
      v.reject(line, `expected 3 tab-separated columns (text, label ids, comment id), found ${f.length}`);
      continue;
    }
    const [text, ids, id] = f as [string, string, string];
    const names: string[] = [];
    let bad: string | undefined;
    for (const part of ids.split(',')) {
      const k = Number(part.trim());
      const name = Number.isInteger(k) ? GOEMOTIONS_LABELS[k] : undefined;
      if (name === undefined) bad = part.trim();
      else names.push(name);
    }
    if (bad !== undefined) {
      v.reject(line, `field "labels": unknown GoEmotions label id "${bad}" (expected 0-${GOEMOTIONS_LABELS.length - 1})`);
      continue;
    }
    const label = singleClass(names.map((n) => GOEMOTIONS_TO_5.get(n) ?? null));
    if (label === null) {
      v.drop();
      continue;
    }
    const row = v.add({ line, fields: { id, text, label, lang: 'en', split: 'test' } });
    if (row) yield row;
  }
}
