/**
 * The charts a report page asks its client script (client/report-client.js) to draw, and how each
 * axis is scaled. Axes are chosen here, from the data: 0–100 only for percentages; a logarithmic
 * axis where positive values span two decades or more (a 0.1 ms baseline beside a 2 s API model);
 * otherwise from zero to just above the largest value or interval end.
 */

export interface Axis {
  title: string;
  scale: 'percent' | 'linear' | 'log';
  /** Linear axes: the top, so interval whiskers are not cut off. */
  max?: number;
  /** Unit shown in tooltips ('%', 'MiB', 'tokens/s'). */
  unit: string;
}

export interface Series {
  label: string;
  values: (number | null)[];
  lo?: (number | null)[];
  hi?: (number | null)[];
  /** Lines only: drawn against the second (right-hand) y axis. */
  right?: boolean;
}

export interface ChartSpec {
  id: string;
  kind: 'bars' | 'stacked' | 'lines' | 'scatter';
  title: string;
  y: Axis;
  /** Scatter charts: the numeric x axis; for lines only its title is used (they are drawn over categories). */
  x?: Axis;
  /** Lines with series marked `right`. */
  y2?: Axis;
  categories?: string[];
  series?: Series[];
  points?: { label: string; x: number; y: number; front: boolean }[];
}

/** What the page hands its script in the `eb-data` block. */
export interface PageData {
  charts: ChartSpec[];
  entries: { label: string; spec: string; suite: string; run: string }[];
  suites: number;
  explorer: { total: number; chunkRows: number; rowChunks: number; inputChunks: number; pageSize: number; unparseable: string } | null;
}

/** The axis for these values: `percent` fixes 0–100; otherwise log when they span decades, else linear. */
export function axisFor(values: readonly (number | null | undefined)[], opts: { title: string; unit: string; percent?: boolean }): Axis {
  if (opts.percent) return { title: opts.title, unit: opts.unit, scale: 'percent' };
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const positive = finite.filter((v) => v > 0);
  if (positive.length === finite.length && positive.length >= 2 && Math.max(...positive) / Math.min(...positive) >= 100) {
    return { title: opts.title, unit: opts.unit, scale: 'log' };
  }
  const top = Math.max(0, ...finite);
  return { title: opts.title, unit: opts.unit, scale: 'linear', max: top > 0 ? niceCeil(top * 1.05) : 1 };
}

/** 1, 2, 2.5 or 5 times a power of ten, at or above x: a round top for an axis. */
export function niceCeil(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x - 1e-12 * p) return m * p;
  return 10 * p;
}

/** Every number a series draws, whiskers included (for axisFor). */
export function seriesValues(series: readonly Series[]): (number | null)[] {
  return series.flatMap((s) => [...s.values, ...(s.hi ?? []), ...(s.lo ?? [])]);
}
