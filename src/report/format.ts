import type { Estimate } from '../scoring/ci.js';

export function pct(x: number, digits = 1): string {
  return Number.isNaN(x) ? '—' : `${(x * 100).toFixed(digits)}`;
}

/** "82.0 [78.1–85.4]": the value with its 95% interval, in percent. */
export function estimate(e: Estimate): string {
  if (Number.isNaN(e.value)) return '—';
  return `${pct(e.value)} [${pct(e.lo)}–${pct(e.hi)}]`;
}
