import type { Spread } from '../results/types.js';
import { bootstrap, quantile } from '../scoring/ci.js';

export function spread(values: readonly number[], seed: number): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const med = (s: readonly number[]) => [quantile([...s].sort((a, b) => a - b), 0.5)];
  const [median] = bootstrap(sorted, med, { seed, resamples: 500 });
  return {
    median: median!,
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    mean: sorted.length === 0 ? NaN : sorted.reduce((a, b) => a + b, 0) / sorted.length,
    n: sorted.length,
  };
}
