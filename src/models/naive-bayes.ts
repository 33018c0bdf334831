import { UserError } from '../errors.js';
import { configHash } from '../util/hash.js';
import type { TrainingRecord } from './baseline-file.js';
import type { WeightedText } from './tfidf.js';
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

/** What a fitted model is; saved by src/models/baseline-file.ts. */
export interface NaiveBayesState {
  labels: string[];
  options: NaiveBayesOptions;
  logPrior: number[];
  totals: number[];
  vocabSize: number;
  trainedOn: number;
  /** Per class: [n-gram, count] pairs, sorted by n-gram. */
  counts: [string, number][][];
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
    private opts: NaiveBayesOptions = NB_DEFAULTS,
    /** A saved model (`nb:<dir>`): prepare() keeps it instead of fitting the suite's train split. */
    private readonly saved?: { state: NaiveBayesState; training: TrainingRecord },
  ) {
    if (saved) {
      const s = saved.state;
      this.opts = s.options;
      this.labels = s.labels;
      this.logPrior = s.logPrior;
      this.totals = s.totals;
      this.vocabSize = s.vocabSize;
      this.trainedOn = s.trainedOn;
      this.counts = s.counts.map((pairs) => new Map(pairs));
    }
  }

  meta(): ModelMeta {
    const config = { kind: 'naive-bayes', ...this.opts, train_rows: this.trainedOn, vocab: this.vocabSize, ...(this.saved ? { trained_on: this.saved.training } : {}) };
    return { spec: this.spec, kind: 'baseline', config, config_hash: configHash(config) };
  }

  async prepare({ train, labels }: PrepareContext): Promise<void> {
    if (this.saved) {
      const missing = labels.filter((l) => !this.labels.includes(l));
      if (missing.length > 0) throw new UserError(`${this.spec}: the saved model has no class ${missing.join(', ')} (it knows ${this.labels.join(', ')})`);
      return;
    }
    if (train.length === 0) throw new UserError('nb: the suite has no training rows to learn from');
    this.fit(
      train.map((r) => ({ text: r.text, label: r.label, count: 1 })),
      labels,
    );
  }

  /** Counts n-grams; a row with count n weighs as n copies of it. */
  fit(rows: readonly WeightedText[], labels: readonly string[]): void {
    this.labels = labels;
    this.counts = labels.map(() => new Map());
    this.totals = labels.map(() => 0);
    const docs = labels.map(() => 0);
    const vocab = new Set<string>();
    let n = 0;
    for (const row of rows) {
      const c = labels.indexOf(row.label);
      if (c === -1) continue;
      docs[c] = docs[c]! + row.count;
      n += row.count;
      for (const g of charNgrams(row.text, this.opts.minN, this.opts.maxN)) {
        this.counts[c]!.set(g, (this.counts[c]!.get(g) ?? 0) + row.count);
        this.totals[c] = this.totals[c]! + row.count;
        vocab.add(g);
      }
    }
    this.vocabSize = vocab.size;
    this.trainedOn = n;
    // A class absent from training keeps a tiny prior instead of -Infinity, so it can still be scored.
    this.logPrior = docs.map((d) => Math.log((d + 1e-3) / (n + 1e-3 * labels.length)));
  }

  toState(): NaiveBayesState {
    const byGram = (a: [string, number], b: [string, number]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    return {
      labels: [...this.labels],
      options: { ...this.opts },
      logPrior: this.logPrior,
      totals: this.totals,
      vocabSize: this.vocabSize,
      trainedOn: this.trainedOn,
      counts: this.counts.map((m) => [...m].sort(byGram)),
    };
  }

  /** With `labels`, probabilities come in that order (a saved model may list its classes differently). */
  async classify(texts: readonly string[], labels?: readonly string[]): Promise<ClassifyOutput[]> {
    const order = labels ?? this.labels;
    return texts.map((t) => {
      const own = this.probabilities(t);
      const probs = order.map((l) => own[this.labels.indexOf(l)] ?? 0);
      const best = probs.indexOf(Math.max(...probs));
      const label = order[best] ?? null;
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
