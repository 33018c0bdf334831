import { esc } from '../../util/html.js';
import { axisFor, type ChartSpec } from '../charts.js';
import { suitesOf, type Entry } from '../entries.js';
import type { Section } from '../page.js';
import { batchAveraged, belowFloor } from './leaderboard.js';

/** Pareto front of (x, y), both larger-is-better: indices of the points no other point beats on both, by x. */
export function paretoFront(points: readonly { x: number; y: number }[]): number[] {
  const idx = points.map((_, i) => i).filter((i) => Number.isFinite(points[i]!.x) && Number.isFinite(points[i]!.y));
  const front = idx.filter((i) => {
    const p = points[i]!;
    return !idx.some((j) => {
      const q = points[j]!;
      return j !== i && q.x >= p.x && q.y >= p.y && (q.x > p.x || q.y > p.y);
    });
  });
  return front.sort((a, b) => points[a]!.x - points[b]!.x);
}

const samplesPerSecond = (e: Entry) => (Number.isFinite(e.result.latency_ms.mean) && e.result.latency_ms.mean > 0 ? 1000 / e.result.latency_ms.mean : NaN);

export function speedSection(entries: readonly Entry[], charts: ChartSpec[]): Section {
  const parts: string[] = [];
  for (const suite of suitesOf(entries)) {
    const rows = entries.filter((e) => e.suite === suite);
    const pts = rows.map((e) => ({ label: e.label, x: samplesPerSecond(e), y: Math.round(e.result.metrics.macro_f1.value * 10000) / 100 }));
    const usable = pts.map((p, i) => i).filter((i) => Number.isFinite(pts[i]!.x) && Number.isFinite(pts[i]!.y));
    if (usable.length === 0) continue;
    // Only models above the quality floor compete on the front: a constant guess is fast, not good.
    const candidates = usable.filter((i) => !belowFloor(rows[i]!));
    const front = new Set(paretoFront(candidates.map((i) => pts[i]!)).map((k) => candidates[k]!));
    const id = `chart-speed-${charts.length}`;
    charts.push({
      id,
      kind: 'scatter',
      title: `${suite}: quality vs speed`,
      x: axisFor(usable.map((i) => pts[i]!.x), { title: 'samples/s (1000 / mean latency ms)', unit: 'samples/s' }),
      y: axisFor([], { title: 'macro-F1 %', unit: '%', percent: true }),
      points: usable.map((i) => ({ ...pts[i]!, front: front.has(i) })),
    });
    const floored = rows.filter((e) => belowFloor(e)).map((e) => esc(e.label));
    const batched = rows.filter(batchAveraged).map((e) => esc(e.label));
    parts.push(`<h3>${esc(suite)}</h3>
<figure class="chart"><div class="chart-box tall"><canvas id="${id}" role="img" aria-label="${esc(`macro-F1 against samples per second, ${suite}`)}"></canvas></div>
<figcaption>The dashed line is the Pareto front: models no other model beats on both quality and speed (${[...front].map((i) => esc(pts[i]!.label)).join(', ') || 'none'}).${floored.length ? ` Not on the front, being at or below the quality floor (the accuracy of always answering the most frequent label): ${floored.join(', ')}.` : ''}${batched.length ? ` Batch averages (batch time ÷ batch size), not single-request times: ${batched.join(', ')}.` : ''}</figcaption></figure>`);
  }
  if (parts.length === 0) parts.push('<p class="muted">No latencies recorded.</p>');
  return {
    id: 'speed',
    nav: 'Speed',
    html: `<section id="speed"><h2>Quality vs speed</h2>
<p class="lede">Speed is 1000 / mean latency per sample. Chat models are timed per request, one at a time; batched classifiers record the batch's time divided by its size, so their figure is a batch average, not the time one request takes.</p>
${parts.join('\n')}</section>`,
  };
}
