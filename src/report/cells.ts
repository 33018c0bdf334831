import type { Figure } from '../scoring/metrics.js';
import { esc } from '../util/html.js';

/** Number formats and table cells shared by the report's sections. */

export const pctS = (x: number, d = 1) => (Number.isFinite(x) ? (x * 100).toFixed(d) : '—');
export const num = (x: number, d = 1) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '—');
export const pFmt = (p: number) => (p < 0.001 ? '<0.001' : p.toFixed(3));
/** "p=0.125" or "p<0.001". */
export const pEq = (p: number) => (p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`);
/** Milliseconds with precision that suits their size (0.0012, 0.39, 12.4, 1,530). */
export const ms = (x: number) => (!Number.isFinite(x) ? '—' : x >= 100 ? num(x, 0) : x >= 10 ? num(x, 1) : x >= 1 ? num(x, 2) : x === 0 ? '0' : x.toPrecision(2));
/** data-v for sorting: numbers as numbers, missing values sort last. */
export const dv = (x: number) => (Number.isFinite(x) ? String(x) : '');
/** A plain number with the digits that suit its size. */
export const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');
/** A signed relative change: "+12.5%", "−3.0%". */
export const signedPct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}%` : '—');

/** Bytes in the unit that shows them: "512 B", "3.5 KiB", "1.25 MiB", "2.10 GiB" (never "0.00 MiB"). */
export function bytes(b: number): string {
  if (!Number.isFinite(b)) return '—';
  const a = Math.abs(b);
  if (a < 1024) return `${Math.round(b)} B`;
  if (a < 2 ** 20) return `${(b / 1024).toFixed(1)} KiB`;
  if (a < 2 ** 30) return `${(b / 2 ** 20).toFixed(2)} MiB`;
  return `${(b / 2 ** 30).toFixed(2)} GiB`;
}

/** The unit a set of byte counts is best charted in, and its divisor. */
export function byteUnit(values: readonly number[]): { unit: 'B' | 'KiB' | 'MiB' | 'GiB'; div: number } {
  const top = Math.max(0, ...values.filter(Number.isFinite));
  if (top >= 2 ** 30) return { unit: 'GiB', div: 2 ** 30 };
  if (top >= 2 ** 20) return { unit: 'MiB', div: 2 ** 20 };
  if (top >= 1024) return { unit: 'KiB', div: 1024 };
  return { unit: 'B', div: 1 };
}

/**
 * "[lo–hi]" after a value, or nothing when the interval says nothing: missing, or as wide as a point
 * (one sample gives lo = hi = value, and "16.3% [16.3%, 16.3%]" reads as certainty it is not).
 */
export function interval(lo: number | undefined, hi: number | undefined, show: (x: number) => string, n?: number): string {
  if (lo === undefined || hi === undefined || !Number.isFinite(lo) || !Number.isFinite(hi)) return '';
  if (show(lo) === show(hi)) return n !== undefined && n <= 1 ? ` <span class="ci">(n=${n}, no interval)</span>` : '';
  return ` <span class="ci">[${esc(show(lo))}–${esc(show(hi))}]</span>`;
}

/** A percentage cell with its 95% interval. */
export function estCell(e: Figure, extra = ''): string {
  if (!Number.isFinite(e.value)) return `<td class="num" data-v="">—</td>`;
  return `<td class="num${extra}" data-v="${dv(e.value)}">${pctS(e.value)}${interval(e.lo, e.hi, (x) => pctS(x), e.n)}</td>`;
}
