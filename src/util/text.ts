/** The first line of an error's message: native errors can carry pages of build detail after it. */
export function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0] ?? '';
}

/** A fraction in percent without the sign: 0.1234 → "12.3"; not a number → "—". */
export function pct(fraction: number, digits = 1): string {
  return Number.isFinite(fraction) ? (fraction * 100).toFixed(digits) : '—';
}

