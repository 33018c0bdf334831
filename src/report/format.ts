import type { Estimate } from '../scoring/ci.js';

export function pct(x: number, digits = 1): string {
  return Number.isNaN(x) ? '—' : `${(x * 100).toFixed(digits)}`;
}

/** "82.0 [78.1–85.4]": the value with its 95% interval, in percent. */
export function estimate(e: Estimate): string {
  if (Number.isNaN(e.value)) return '—';
  return `${pct(e.value)} [${pct(e.lo)}–${pct(e.hi)}]`;
}

/**
 * A plain-text table with aligned columns. Written here rather than taken from a table library
 * because the leaderboard needs only left/right alignment and this keeps stdout dependency-free.
 */
export function table(header: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (rightAlign[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
