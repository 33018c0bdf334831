import { mulberry32 } from '../util/rng.js';

/**
 * Paired significance tests on the samples two runs share. Paired, because both models saw the same
 * items: the question is whether their answers differ on those items, not whether two independent
 * accuracies differ.
 */

/**
 * Exact McNemar test (two-sided binomial on the discordant pairs): b = items only A got right,
 * c = items only B got right. Exact rather than chi-squared because suites are often small.
 */
export function mcnemar(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // P(X ≤ k) for X ~ Binomial(n, 1/2), summed in log space to stay finite for large n.
  let logTerm = -n * Math.LN2;
  let cdf = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i);
    cdf += Math.exp(logTerm);
  }
  return Math.min(1, 2 * cdf);
}

/**
 * Paired approximate-randomization (permutation) test for any statistic of the shared items
 * (macro-F1, per-class F1): under the null hypothesis the two runs' answers on an item are
 * exchangeable, so swap them at random and count how often the swapped delta is at least as large as
 * the observed one. Preferred over a bootstrap p-value, which is anti-conservative when only a few
 * items differ (5 one-sided flips: bootstrap p≈0.01, exact p=0.0625).
 */
export function pairedPermutation<T>(
  a: readonly T[],
  b: readonly T[],
  statistic: (items: readonly T[]) => number,
  opts: { seed: number; rounds?: number },
): { delta: number; p: number } {
  const n = a.length;
  const delta = statistic(b) - statistic(a);
  const R = opts.rounds ?? 2000;
  const rand = mulberry32(opts.seed);
  const sa = new Array<T>(n);
  const sb = new Array<T>(n);
  let atLeast = 0;
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < n; i++) {
      const swap = rand() < 0.5;
      sa[i] = swap ? b[i]! : a[i]!;
      sb[i] = swap ? a[i]! : b[i]!;
    }
    if (Math.abs(statistic(sb) - statistic(sa)) >= Math.abs(delta) - 1e-12) atLeast++;
  }
  return { delta, p: (atLeast + 1) / (R + 1) };
}

/**
 * Holm's step-down correction of p-values for m simultaneous tests (controls the family-wise error
 * rate, uniformly more powerful than Bonferroni): the i-th smallest p (0-based) is multiplied by
 * m − i, the products are made non-decreasing in that order, and capped at 1. Returns the adjusted
 * p-values in the input's order, so "significant at α" is `adjusted[k] < α`. Same as R's
 * p.adjust(p, "holm").
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const adjusted = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/** What pairing reads of a sample record. */
export interface Answered {
  id: string;
  error: string | null;
  correct: boolean;
}

/** Right means answered without error and correct: a failed request is never right. */
export const isRight = (s: Answered) => s.error === null && s.correct;

/** The samples two models both scored, matched by id and sorted by it (a stable order for permutation tests). */
export function pairById<T extends Answered>(a: readonly T[], b: readonly T[]): [T, T][] {
  const byId = new Map(a.map((s) => [s.id, s]));
  const pairs: [T, T][] = [];
  for (const s of b) {
    const x = byId.get(s.id);
    if (x) pairs.push([x, s]);
  }
  return pairs.sort((x, y) => (x[1].id < y[1].id ? -1 : x[1].id > y[1].id ? 1 : 0));
}

/** McNemar's table for paired samples: how many each side got right, and the discordant counts. */
export interface PairedCounts {
  shared: number;
  rightA: number;
  rightB: number;
  /** Right in A only / in B only: the discordant pairs the exact McNemar test reads. */
  onlyA: number;
  onlyB: number;
}

export function pairedCounts(pairs: readonly (readonly [Answered, Answered])[]): PairedCounts {
  const c = { shared: pairs.length, rightA: 0, rightB: 0, onlyA: 0, onlyB: 0 };
  for (const [x, y] of pairs) {
    const rx = isRight(x);
    const ry = isRight(y);
    if (rx) c.rightA++;
    if (ry) c.rightB++;
    if (rx && !ry) c.onlyA++;
    if (!rx && ry) c.onlyB++;
  }
  return c;
}
