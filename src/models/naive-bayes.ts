import { UserError } from '../errors.js';
import { configHash } from '../util/hash.js';
import type { ClassifyOutput, Model, ModelMeta, PrepareContext } from './types.js';

/**
 * Multinomial naive Bayes over character n-grams. Characters rather than words because Japanese
 * has no spaces; n-grams up to 3 catch short words, negation ("not b") and emoji.
 * Hand-written: a classical baseline of ~60 lines, and no maintained JS library offers character
 * n-gram NB with seeded, dependency-free determinism.
 */
export interface NaiveBayesOptions {
  minN: number;
  maxN: number;
  /** Additive (Lidstone) smoothing. */
  alpha: number;
}

export const NB_DEFAULTS: NaiveBayesOptions = { minN: 1, maxN: 3, alpha: 0.5 };

export function charNgrams(text: string, minN: number, maxN: number): string[] {
  // NFKC folds full-width Latin and half-width katakana, so variants of one word share n-grams.
  const chars = Array.from(` ${text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim()} `);
  const grams: string[] = [];
  for (let n = minN; n <= maxN; n++) {
    for (let i = 0; i + n <= chars.length; i++) grams.push(chars.slice(i, i + n).join(''));
  }
  return grams;
}

export class NaiveBayesModel implements Model {
  private labels: readonly string[] = [];
  private logPrior: number[] = [];
  /** Per class: n-gram → count. */
  private counts: Map<string, number>[] = [];
  private totals: number[] = [];
  private vocabSize = 0;
  private trainedOn = 0;

  constructor(
    readonly spec: string,
    private readonly opts: NaiveBayesOptions = NB_DEFAULTS,
  ) {}

  meta(): ModelMeta {
    const config = { kind: 'naive-bayes', ...this.opts, train_rows: this.trainedOn, vocab: this.vocabSize };
    return { spec: this.spec, kind: 'baseline', config, config_hash: configHash(config) };
  }

  async prepare({ train, labels }: PrepareContext): Promise<void> {
    if (train.length === 0) throw new UserError('nb: the suite has no training rows to learn from');
    this.labels = labels;
    this.counts = labels.map(() => new Map());
    this.totals = labels.map(() => 0);
    const docs = labels.map(() => 0);
    const vocab = new Set<string>();
    for (const row of train) {
      const c = labels.indexOf(row.label);
      if (c === -1) continue;
      docs[c]!++;
      for (const g of charNgrams(row.text, this.opts.minN, this.opts.maxN)) {
        this.counts[c]!.set(g, (this.counts[c]!.get(g) ?? 0) + 1);
        this.totals[c]!++;
        vocab.add(g);
      }
    }
    this.vocabSize = vocab.size;
    this.trainedOn = train.length;
    // A class absent from training keeps a tiny prior instead of -Infinity, so it can still be scored.
    this.logPrior = docs.map((d) => Math.log((d + 1e-3) / (train.length + 1e-3 * labels.length)));
  }

  async classify(texts: readonly string[]): Promise<ClassifyOutput[]> {
    return texts.map((t) => {
      const probs = this.probabilities(t);
      const best = probs.indexOf(Math.max(...probs));
      const label = this.labels[best] ?? null;
      return { label, probs, raw: label ?? '' };
    });
  }

  probabilities(text: string): number[] {
    const grams = charNgrams(text, this.opts.minN, this.opts.maxN);
    const { alpha } = this.opts;
    const scores = this.labels.map((_, c) => {
      const denom = Math.log(this.totals[c]! + alpha * this.vocabSize);
      let s = this.logPrior[c]!;
      for (const g of grams) s += Math.log((this.counts[c]!.get(g) ?? 0) + alpha) - denom;
      return s;
    });
    // Log-sum-exp: the raw likelihoods underflow for long texts.
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const z = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / z);
  }
}
