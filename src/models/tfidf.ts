import { UserError } from '../errors.js';
import { configHash } from '../util/hash.js';
import type { TrainingRecord } from './baseline-file.js';
import { minimize, type LbfgsResult } from './lbfgs.js';
import type { ClassifyOutput, Model, ModelMeta, PrepareContext } from './types.js';

/**
 * The `tfidf` baseline: multinomial logistic regression over sublinear tf-idf features —
 * word 1–2-grams and character 2–5-grams (the latter carry Japanese, which has no spaces) —
 * fitted by L-BFGS to convergence with L2 regularisation and balanced class weights.
 *
 * Features: text NFKC-folded and lower-cased; tf = 1 + ln(count); idf = ln((1 + D) / (1 + df)) + 1
 * over the distinct training texts; the word block and the character block are each
 * L2-normalised and scaled by 1/√2, so every text's vector has unit length and neither block
 * drowns the other. Only n-grams seen in at least `minDf` texts are kept, at most `maxFeatures`
 * of them (highest df first, ties by the n-gram), which keeps saved models small.
 *
 * Objective: Σᵢ wᵢ·CE(softmax(W xᵢ + b), yᵢ) / Σᵢ wᵢ + ‖W‖² / (2·C·N), i.e. scikit-learn's
 * LogisticRegression(C) scaled by 1/N; wᵢ = (times the row occurs) × N / (K · rows of its class).
 * Everything is deterministic: no randomness, fixed feature order, fixed summation order.
 */
export interface TfidfOptions {
  wordMaxN: number;
  charMinN: number;
  charMaxN: number;
  minDf: number;
  maxFeatures: number;
  /** Inverse regularisation strength, as scikit-learn's C. */
  c: number;
  maxIter: number;
}

export const TFIDF_DEFAULTS: TfidfOptions = { wordMaxN: 2, charMinN: 2, charMaxN: 5, minDf: 2, maxFeatures: 300_000, c: 10, maxIter: 1000 };

/** What a fitted model is; saved by src/models/baseline-file.ts. */
export interface TfidfState {
  labels: string[];
  options: TfidfOptions;
  features: string[];
  idf: number[];
  /** Feature-major: weights[f · K + k]. */
  weights: number[];
  bias: number[];
  fit: TfidfFitInfo;
}

export interface TfidfFitInfo {
  rows: number;
  distinctTexts: number;
  iterations: number;
  converged: boolean;
  stop: LbfgsResult['reason'];
  loss: number;
  gradInf: number;
}

/** One weighted training text. */
export interface WeightedText {
  text: string;
  label: string;
  /** How many times the row occurs in the training data (repeats, oversampling). */
  count: number;
}

/**
 * Words: runs of letters/digits; Japanese, written without spaces, is cut where the script changes
 * (kanji, hiragana, katakana runs), as the BPE tokenizer's chunks are — otherwise a whole Japanese
 * sentence would be one "word", a feature unique to its text that the fit memorises instead of
 * learning from the character n-grams. Any other non-space character is a word by itself.
 */
const WORD = /\p{sc=Han}+|[\p{sc=Hiragana}ー]+|[\p{sc=Katakana}ー]+|(?:(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}ー])[\p{L}\p{N}_'])+|[^\s\p{L}\p{N}_']/gu;

/** The raw n-gram counts of one text, keyed "w:" (words) and "c:" (characters). */
export function ngramCounts(text: string, o: Pick<TfidfOptions, 'wordMaxN' | 'charMinN' | 'charMaxN'>): Map<string, number> {
  const norm = text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const out = new Map<string, number>();
  const add = (k: string) => out.set(k, (out.get(k) ?? 0) + 1);
  const words = norm.match(WORD) ?? [];
  for (let n = 1; n <= o.wordMaxN; n++) {
    for (let i = 0; i + n <= words.length; i++) add(`w:${words.slice(i, i + n).join(' ')}`);
  }
  // Code-point offsets, so n-grams never split a surrogate pair.
  const s = ` ${norm} `;
  const offs: number[] = [];
  for (let i = 0; i < s.length; i++) {
    offs.push(i);
    if (s.charCodeAt(i) >= 0xd800 && s.charCodeAt(i) <= 0xdbff) i++;
  }
  offs.push(s.length);
  const cps = offs.length - 1;
  for (let n = o.charMinN; n <= o.charMaxN; n++) {
    for (let i = 0; i + n <= cps; i++) add(`c:${s.slice(offs[i], offs[i + n])}`);
  }
  return out;
}

/** A sparse vector: feature indices (ascending) and values. */
interface Sparse {
  idx: Int32Array;
  val: Float32Array;
}

export class TfidfModel implements Model {
  private state: TfidfState | undefined;
  private index = new Map<string, number>();

  constructor(
    readonly spec: string,
    private readonly opts: TfidfOptions = TFIDF_DEFAULTS,
    /** A saved model (`tfidf:<dir>`): prepare() keeps it instead of fitting the suite's train split. */
    private readonly saved?: { state: TfidfState; training: TrainingRecord },
  ) {
    if (saved) {
      this.state = saved.state;
      this.index = new Map(saved.state.features.map((k, i) => [k, i]));
    }
  }

  meta(): ModelMeta {
    const s = this.state;
    // The training data's hash (saved models) or the suite's rows (fitted in prepare) identify the fit.
    const config = { kind: 'tfidf', ...(s?.options ?? this.opts), features: s?.features.length ?? 0, fit: s?.fit ?? null, trained_on: this.saved?.training ?? 'suite train split' };
    return { spec: this.spec, kind: 'baseline', config, config_hash: configHash(config) };
  }

  async prepare({ train, labels }: PrepareContext): Promise<void> {
    if (this.saved) {
      const missing = labels.filter((l) => !this.state!.labels.includes(l));
      if (missing.length > 0) throw new UserError(`${this.spec}: the saved model has no class ${missing.join(', ')} (it knows ${this.state!.labels.join(', ')})`);
      return;
    }
    if (train.length === 0) throw new UserError('tfidf: the suite has no training rows to learn from');
    this.fit(
      train.map((r) => ({ text: r.text, label: r.label, count: 1 })),
      labels,
    );
  }

  /** Fits on weighted texts (repeated rows merged by the caller or not: equal rows are merged here). */
  fit(rows: readonly WeightedText[], labels: readonly string[]): TfidfFitInfo {
    const o = this.opts;
    const K = labels.length;
    const merged = new Map<string, WeightedText>();
    for (const r of rows) {
      if (!labels.includes(r.label)) continue;
      const key = `${r.label}\u0000${r.text}`;
      const m = merged.get(key);
      if (m) m.count += r.count;
      else merged.set(key, { ...r });
    }
    const docs = [...merged.values()];
    if (docs.length === 0) throw new UserError('tfidf: no training rows with a known label');

    // Document frequency over distinct texts: a row repeated for weight is still one document.
    const distinct = [...new Set(docs.map((d) => d.text))];
    const df = new Map<string, number>();
    const countsOf = new Map<string, Map<string, number>>();
    for (const t of distinct) {
      const c = ngramCounts(t, o);
      countsOf.set(t, c);
      for (const k of c.keys()) df.set(k, (df.get(k) ?? 0) + 1);
    }
    const kept = [...df].filter(([, n]) => n >= o.minDf);
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    // Highest df first: the features most texts touch share cache lines in W and its gradient.
    const features = kept.slice(0, o.maxFeatures).map(([k]) => k);
    const D = distinct.length;
    const idf = features.map((k) => Math.log((1 + D) / (1 + df.get(k)!)) + 1);
    this.index = new Map(features.map((k, i) => [k, i]));
    const X = docs.map((d) => this.vectorFrom(countsOf.get(d.text)!, idf));
    const y = docs.map((d) => labels.indexOf(d.label));
    const classTotal = new Array<number>(K).fill(0);
    docs.forEach((d, i) => (classTotal[y[i]!] = classTotal[y[i]!]! + d.count));
    const N = classTotal.reduce((a, b) => a + b, 0);
    const present = classTotal.filter((c) => c > 0).length;
    const w = docs.map((d, i) => (d.count * N) / (present * classTotal[y[i]!]!));
    const wSum = w.reduce((a, b) => a + b, 0);
    const F = features.length;
    const lambda = 1 / (o.c * N);

    const objective = (x: Float64Array, g: Float64Array): number => {
      g.fill(0);
      let loss = 0;
      const z = new Float64Array(K);
      for (let i = 0; i < X.length; i++) {
        const { idx, val } = X[i]!;
        for (let k = 0; k < K; k++) z[k] = x[F * K + k]!;
        for (let p = 0; p < idx.length; p++) {
          const base = idx[p]! * K;
          const v = val[p]!;
          for (let k = 0; k < K; k++) z[k] = z[k]! + v * x[base + k]!;
        }
        let max = -Infinity;
        for (let k = 0; k < K; k++) max = Math.max(max, z[k]!);
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.exp(z[k]! - max);
        const lse = max + Math.log(sum);
        const wi = w[i]! / wSum;
        loss += wi * (lse - z[y[i]!]!);
        for (let k = 0; k < K; k++) z[k] = wi * (Math.exp(z[k]! - lse) - (k === y[i] ? 1 : 0));
        for (let p = 0; p < idx.length; p++) {
          const base = idx[p]! * K;
          const v = val[p]!;
          for (let k = 0; k < K; k++) g[base + k] = g[base + k]! + v * z[k]!;
        }
        for (let k = 0; k < K; k++) g[F * K + k] = g[F * K + k]! + z[k]!;
      }
      let reg = 0;
      for (let j = 0; j < F * K; j++) {
        reg += x[j]! * x[j]!;
        g[j] = g[j]! + lambda * x[j]!;
      }
      return loss + 0.5 * lambda * reg;
    };

    // gradTol 1e-4 on the mean loss is scikit-learn's default tolerance for its lbfgs solver.
    const r = minimize(objective, new Float64Array(F * K + K), { maxIter: o.maxIter, gradTol: 1e-4 });
    const fit: TfidfFitInfo = { rows: N, distinctTexts: D, iterations: r.iterations, converged: r.converged, stop: r.reason, loss: r.f, gradInf: r.gradInf };
    this.state = { labels: [...labels], options: { ...o }, features, idf, weights: Array.from(r.x.subarray(0, F * K)), bias: Array.from(r.x.subarray(F * K)), fit };
    return fit;
  }

  async classify(texts: readonly string[], labels?: readonly string[]): Promise<ClassifyOutput[]> {
    return texts.map((t) => {
      const probs = this.probabilities(t, labels);
      const best = probs.indexOf(Math.max(...probs));
      const label = (labels ?? this.state?.labels)?.[best] ?? null;
      return { label, probs, raw: label ?? '' };
    });
  }

  /** Class probabilities in `labels` order (the model's own order when absent). */
  probabilities(text: string, labels?: readonly string[]): number[] {
    const s = this.state;
    if (!s) throw new Error('tfidf: classify before prepare');
    const K = s.labels.length;
    const { idx, val } = this.vectorFrom(ngramCounts(text, s.options), s.idf);
    const z = [...s.bias];
    for (let p = 0; p < idx.length; p++) for (let k = 0; k < K; k++) z[k] = z[k]! + val[p]! * s.weights[idx[p]! * K + k]!;
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / sum);
    return labels ? labels.map((l) => p[s.labels.indexOf(l)] ?? 0) : p;
  }

  toState(): TfidfState {
    if (!this.state) throw new Error('tfidf: nothing fitted to save');
    return this.state;
  }

  private vectorFrom(counts: Map<string, number>, idf: readonly number[]): Sparse {
    const word: [number, number][] = [];
    const char: [number, number][] = [];
    for (const [k, c] of counts) {
      const j = this.index.get(k);
      if (j === undefined) continue;
      (k.startsWith('w:') ? word : char).push([j, (1 + Math.log(c)) * idf[j]!]);
    }
    for (const block of [word, char]) {
      const norm = Math.sqrt(block.reduce((a, [, v]) => a + v * v, 0)) * Math.SQRT2;
      if (norm > 0) for (const e of block) e[1] /= norm;
    }
    const all = [...word, ...char].sort((a, b) => a[0] - b[0]);
    return { idx: Int32Array.from(all, (e) => e[0]), val: Float32Array.from(all, (e) => e[1]) };
  }
}

/** Checks a parsed state against the layout fit() produces. */
export function checkTfidfState(s: unknown, file: string): TfidfState {
  const o = s as Partial<TfidfState> | null;
  const K = o?.labels?.length ?? 0;
  const F = o?.features?.length ?? 0;
  if (!o || K === 0 || o.idf?.length !== F || o.weights?.length !== F * K || o.bias?.length !== K || !o.options || !o.fit) {
    throw new UserError(`${file}: tfidf model is inconsistent (labels ${K}, features ${F}, idf ${o?.idf?.length}, weights ${o?.weights?.length}, bias ${o?.bias?.length})`);
  }
  return o as TfidfState;
}
