import { isBiasLayer } from '../scratch/config.js';
import type { ScratchModel } from '../scratch/scratch-model.js';
import type { LiftSummary, TextLift } from '../results/types.js';
import { bootstrap } from '../scoring/ci.js';

/**
 * The article's "attention lift": in strongly emotional contexts, attention on emotion-related words
 * rises by about 20% with the emotion bias. Measured here as the attention mass that queries put on
 * emotion-word tokens, averaged over the bias layers and heads, with the bias on vs off on the same
 * weights: lift = mean(on) / mean(off) − 1.
 */
export const EMOTION_WORDS: readonly string[] = [
  // joy
  'happy', 'glad', 'love', 'loved', 'great', 'thanks', 'thank', 'grateful', 'delighted', 'excited', 'wonderful', 'amazing', 'best', 'yay',
  '嬉しい', 'うれしい', '楽しい', '幸せ', '最高', 'ありがとう', 'やった',
  // anger
  'angry', 'furious', 'annoyed', 'hate', 'ridiculous', 'unacceptable', 'awful', 'terrible', 'worst', 'rude', 'sick of',
  '怒', '腹立', 'ふざけ', '最悪', 'イライラ', 'ムカつ', 'いい加減',
  // sadness
  'sad', 'miss', 'lonely', 'cry', 'crying', 'tears', 'heartbroken', 'disappointed', 'sorry', 'lost',
  '悲しい', '寂しい', 'つらい', '辛い', '泣', '残念', 'がっかり', 'しんどい',
  // surprise
  'wow', 'whoa', 'unbelievable', 'shocked', 'surprised', 'unexpected', 'omg', 'no way', "can't believe",
  'びっくり', 'まさか', '驚', 'えっ', 'マジ', 'うそ', '信じられない',
];

/** For each token, whether its bytes overlap an emotion word in the text. */
export function emotionTokenMask(model: ScratchModel, text: string, ids: readonly number[]): boolean[] {
  const enc = new TextEncoder();
  const lower = text.toLowerCase();
  const spans: [number, number][] = [];
  for (const w of EMOTION_WORDS) {
    for (let at = lower.indexOf(w); at !== -1; at = lower.indexOf(w, at + 1)) {
      const start = enc.encode(text.slice(0, at)).length;
      spans.push([start, start + enc.encode(text.slice(at, at + w.length)).length]);
    }
  }
  let offset = 0;
  return ids.map((id) => {
    const n = id === model.tokenizer.bos ? 0 : model.tokenizer.bytesOf(id).length;
    const from = offset;
    offset += n;
    return n > 0 && spans.some(([a, b]) => from < b && offset > a);
  });
}

/**
 * Mean attention mass on masked keys, over bias layers, heads and the queries at or after the first
 * masked key; and the mean attention each key receives from the queries that can see it (for display).
 */
function massAndReceived(attention: Float32Array[][], T: number, mask: readonly boolean[], layers: number[]): { mass: number; received: number[] } {
  const first = mask.indexOf(true);
  let mass = 0;
  let count = 0;
  const received = new Array<number>(T).fill(0);
  let heads = 0;
  for (const l of layers) {
    for (const head of attention[l]!) {
      heads++;
      for (let i = 0; i < T; i++) {
        let m = 0;
        for (let j = 0; j <= i; j++) {
          const a = head[i * T + j]!;
          received[j]! += a / (T - j);
          if (mask[j]) m += a;
        }
        if (i >= first) {
          mass += m;
          count++;
        }
      }
    }
  }
  return { mass: count === 0 ? NaN : mass / count, received: received.map((r) => r / heads) };
}

export function textLift(model: ScratchModel, text: string): TextLift | undefined {
  const on = model.attentionMaps(text, { bias: true });
  const mask = emotionTokenMask(model, text, on.ids);
  if (!mask.some(Boolean)) return undefined;
  const off = model.attentionMaps(text, { bias: false });
  const T = on.ids.length;
  const layers = [...Array(model.config.nLayers).keys()].filter((l) => isBiasLayer(model.config, l));
  const a = massAndReceived(on.attention, T, mask, layers);
  const b = massAndReceived(off.attention, T, mask, layers);
  const last = on.emotions[T - 1] ?? [];
  return {
    text,
    tokens: on.tokens,
    emotion_tokens: mask.flatMap((m, i) => (m ? [i] : [])),
    received_on: a.received,
    received_off: b.received,
    mass_on: a.mass,
    mass_off: b.mass,
    strength: Math.max(...last.slice(0, 4)),
  };
}

export function liftSummary(lifts: readonly TextLift[], seed: number): LiftSummary {
  const ratio = (xs: readonly TextLift[]) => [xs.reduce((a, x) => a + x.mass_on, 0) / xs.reduce((a, x) => a + x.mass_off, 0) - 1];
  const strong = lifts.filter((x) => x.strength > 0.5);
  return {
    texts: lifts.length,
    lift: bootstrap(lifts, ratio, { seed, resamples: 500 })[0]!,
    strong_lift: bootstrap(strong, ratio, { seed, resamples: 500 })[0]!,
    strong_texts: strong.length,
  };
}
