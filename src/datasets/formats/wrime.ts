import type { Row } from '../types.js';
import type { RowValidator } from '../validate.js';
import { tsvLines, type Emotion5 } from './lines.js';

/**
 * WRIME ver1 (Japanese SNS posts; intensities 0-3 by the writer and three readers), TSV with a
 * header in English (`Sentence`, `Train/Dev/Test`, `Avg. Readers_Joy`, …) or Japanese (`投稿本文`,
 * `訓練/検証/テスト` or similar, `客観平均_喜び`, …). Rule for five classes, on the averaged reader
 * intensities: neutral when all eight are 0; otherwise the unique maximum if it is Joy, Sadness,
 * Surprise or Anger; dropped otherwise (a tie, or Anticipation/Fear/Disgust/Trust on top).
 */
const EMOTIONS = [
  ['Joy', '喜び'],
  ['Sadness', '悲しみ'],
  ['Anticipation', '期待'],
  ['Surprise', '驚き'],
  ['Anger', '怒り'],
  ['Fear', '恐れ'],
  ['Disgust', '嫌悪'],
  ['Trust', '信頼'],
] as const;
const KEPT: Record<string, Emotion5> = { Joy: 'joy', Sadness: 'sadness', Surprise: 'surprise', Anger: 'anger' };

export async function* readWrime(path: string, v: RowValidator): AsyncGenerator<Row> {
  let cols: { text: number; split: number; avg: number[] } | undefined;
  let width = 0;
  for await (const [line, f] of tsvLines(path)) {
    if (!cols) {
      const find = (...names: string[]) => f.findIndex((h) => names.includes(h.trim()));
      const text = find('Sentence', '投稿本文');
      const split = f.findIndex((h) => /^(Train\/Dev\/Test|.*(訓練|学習).*)$/.test(h.trim()));
      const avg = EMOTIONS.map(([en, ja]) => find(`Avg. Readers_${en}`, `客観平均_${ja}`));
      const missing = [text === -1 ? 'Sentence' : '', ...EMOTIONS.map(([en], i) => (avg[i] === -1 ? `Avg. Readers_${en}` : ''))].filter(Boolean);
      if (missing.length > 0) {
        v.reject(line, `WRIME header lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
        return;
      }
      cols = { text, split, avg };
      width = f.length;
      continue;
    }
    if (f.length !== width) {
      v.reject(line, `expected ${width} tab-separated columns, found ${f.length}`);
      continue;
    }
    const values = cols.avg.map((i) => Number(f[i]));
    const badAt = values.findIndex((x) => !Number.isFinite(x) || x < 0 || x > 3);
    if (badAt !== -1) {
      v.reject(line, `field "Avg. Readers_${EMOTIONS[badAt]![0]}": expected a number from 0 to 3, found "${f[cols.avg[badAt]!]}"`);
      continue;
    }
    const max = Math.max(...values);
    let label: Emotion5 | null;
    if (max === 0) label = 'neutral';
    else {
      const top = values.flatMap((x, i) => (x === max ? [EMOTIONS[i]![0]] : []));
      label = top.length === 1 ? (KEPT[top[0]!] ?? null) : null;
    }
    if (label === null) {
      v.drop();
      continue;
    }
    const split = cols.split === -1 ? 'test' : normaliseSplit(f[cols.split]!);
    const row = v.add({ line, fields: { id: `wrime:${line}`, text: f[cols.text], label, lang: 'ja', split } });
    if (row) yield row;
  }
  if (!cols) v.reject(1, 'empty file (expected a WRIME header row)');
}

function normaliseSplit(s: string): string {
  const t = s.trim().toLowerCase();
  if (t === '訓練' || t === '学習') return 'train';
  if (t === '検証') return 'dev';
  if (t === 'テスト' || t === '評価') return 'test';
  return t;
}
