import { mulberry32 } from '../../src/util/rng.js';

const LABELS = ['joy', 'anger', 'sadness', 'surprise', 'neutral'] as const;
const WORDS: Record<string, string[]> = {
  joy: ['happy', 'glad', 'love', 'great', 'thanks', '嬉しい'],
  anger: ['angry', 'hate', 'awful', 'furious', 'rude', '腹立つ'],
  sadness: ['sad', 'miss', 'lonely', 'cry', 'loss', '悲しい'],
  surprise: ['wow', 'whoa', 'unexpected', 'shocked', 'really', 'まさか'],
  neutral: ['the', 'meeting', 'bus', 'table', 'note', '会議'],
};

/** A seeded, noisy five-class dataset (CSV with header) for tests that need volume, not meaning. */
export function syntheticCsv(rows: number, seed = 1): string {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const lines = ['id,text,label,lang,split'];
  for (let i = 0; i < rows; i++) {
    const label = pick(LABELS);
    const vocab = [...WORDS[label]!, ...WORDS[pick(LABELS)]!];
    const text = Array.from({ length: 6 }, () => pick(vocab)).join(' ');
    lines.push(`s${i},${text},${label},${i % 3 ? 'en' : 'ja'},${i % 5 === 0 ? 'train' : 'test'}`);
  }
  return `${lines.join('\n')}\n`;
}
