import { bootstrap, wilson, type Estimate } from './ci.js';

/** The column for answers from which no label could be extracted, kept apart from wrong labels. */
export const UNPARSEABLE = '(unparseable)';

/** One scored prediction: gold label and predicted label (null = unparseable or failed). */
export interface Prediction {
  gold: string;
  pred: string | null;
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Gold count of the class. */
  support: number;
  f1_ci: Estimate;
}

export interface ClassificationMetrics {
  n: number;
  accuracy: Estimate;
  macro_f1: Estimate;
  per_class: Record<string, ClassMetrics>;
  /** confusion.matrix[gold][pred]; the last column is UNPARSEABLE. */
  confusion: { labels: string[]; columns: string[]; matrix: number[][] };
  unparseable: number;
}

export function confusionMatrix(preds: readonly Prediction[], labels: readonly string[]): number[][] {
  const index = new Map(labels.map((l, i) => [l, i]));
  const m = labels.map(() => new Array<number>(labels.length + 1).fill(0));
  for (const { gold, pred } of preds) {
    const g = index.get(gold);
    if (g === undefined) continue;
    const p = pred === null ? labels.length : (index.get(pred) ?? labels.length);
    m[g]![p]!++;
  }
  return m;
}

/** Per-class precision/recall/F1 from a confusion matrix; 0 where undefined (no predictions / no gold). */
export function perClass(m: number[][], labels: readonly string[]): { precision: number; recall: number; f1: number; support: number }[] {
  return labels.map((_, c) => {
    const tp = m[c]![c]!;
    const support = m[c]!.reduce((a, b) => a + b, 0);
    const predicted = m.reduce((a, row) => a + row[c]!, 0);
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support };
  });
}

/** Macro-F1 over the classes present in the gold labels (sklearn's default when labels are given). */
export function macroF1(preds: readonly Prediction[], labels: readonly string[]): number {
  return macroOf(perClass(confusionMatrix(preds, labels), labels));
}

function macroOf(rows: readonly { f1: number; support: number }[]): number {
  const present = rows.filter((r) => r.support > 0);
  return present.length === 0 ? NaN : present.reduce((a, r) => a + r.f1, 0) / present.length;
}

export function accuracy(preds: readonly Prediction[]): number {
  return preds.length === 0 ? NaN : preds.filter((p) => p.pred === p.gold).length / preds.length;
}

export function classificationMetrics(
  preds: readonly Prediction[],
  labels: readonly string[],
  opts: { seed: number; resamples?: number },
): ClassificationMetrics {
  const m = confusionMatrix(preds, labels);
  const rows = perClass(m, labels);
  const correct = preds.filter((p) => p.pred === p.gold).length;
  // One resampling pass gives macro-F1 (index 0) and each class's F1 (1..k).
  const [macro, ...classF1] = bootstrap(
    preds,
    (s) => {
      const r = perClass(confusionMatrix(s, labels), labels);
      return [macroOf(r), ...r.map((c) => c.f1)];
    },
    opts,
  );
  const per_class: Record<string, ClassMetrics> = {};
  labels.forEach((label, c) => (per_class[label] = { ...rows[c]!, f1_ci: classF1[c]! }));
  return {
    n: preds.length,
    accuracy: wilson(correct, preds.length),
    macro_f1: macro!,
    per_class,
    confusion: { labels: [...labels], columns: [...labels, UNPARSEABLE], matrix: m },
    unparseable: preds.filter((p) => p.pred === null || !labels.includes(p.pred)).length,
  };
}
