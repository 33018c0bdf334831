import { mulberry32 } from '../util/rng.js';

/** A point estimate with its 95% interval and the number of observations behind it. */
export interface Estimate {
  value: number;
  lo: number;
  hi: number;
  n: number;
  method: 'wilson' | 'bootstrap' | 'none';
}

const Z95 = 1.959963984540054;

/**
 * Wilson score interval for a proportion: unlike the normal approximation it stays inside [0, 1]
 * and behaves at p near 0 or 1 and small n, which is where small suites live.
 */
export function wilson(successes: number, n: number, z = Z95): Estimate {
  if (n === 0) return { value: NaN, lo: NaN, hi: NaN, n, method: 'wilson' };
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { value: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half), n, method: 'wilson' };
}

/**
 * Percentile bootstrap over items for statistics that are not simple proportions (macro-F1,
 * per-class F1). `statistic` returns several values so one resampling pass serves all of them.
 * Seeded so the same run gives the same intervals.
 */
export function bootstrap<T>(
  items: readonly T[],
  statistic: (sample: readonly T[]) => number[],
  opts: { seed: number; resamples?: number },
): Estimate[] {
  const n = items.length;
  const values = statistic(items);
  if (n === 0) return values.map((value) => ({ value, lo: NaN, hi: NaN, n, method: 'bootstrap' }));
  const B = opts.resamples ?? 1000;
  const rand = mulberry32(opts.seed);
  const stats: number[][] = values.map(() => []);
  const sample = new Array<T>(n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) sample[i] = items[Math.floor(rand() * n)]!;
    statistic(sample).forEach((s, k) => {
      if (!Number.isNaN(s)) stats[k]!.push(s);
    });
  }
  return values.map((value, k) => {
    const sorted = stats[k]!.sort((a, b) => a - b);
    return { value, lo: quantile(sorted, 0.025), hi: quantile(sorted, 0.975), n, method: 'bootstrap' as const };
  });
}

/** Linear-interpolated quantile of sorted values (type 7, as numpy and R default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
