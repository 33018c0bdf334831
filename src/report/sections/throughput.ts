import type { ThroughputSummary } from '../../results/types.js';
import { esc } from '../../util/html.js';
import { f } from '../cells.js';
import { axisFor, seriesValues, type ChartSpec } from '../charts.js';
import type { Section } from '../page.js';

/** Throughput runs: decode tokens/s by prompt length and batch, the roofline, the serving levels. */
export function throughputSection(runs: readonly { summary: ThroughputSummary }[], charts: ChartSpec[]): Section | undefined {
  if (runs.length === 0) return undefined;
  const parts = runs.flatMap(({ summary }) =>
    summary.models.map((m) => {
      const t = m.throughput;
      const id = `chart-tp-${charts.length}`;
      const lengths = [...new Set(t.grid.map((g) => g.prompt_tokens))];
      const batches = [...new Set(t.grid.map((g) => g.batch))];
      const series = batches.map((b) => {
        const cells = lengths.map((l) => t.grid.find((g) => g.batch === b && g.prompt_tokens === l));
        return { label: `batch ${b}`, values: cells.map((c) => c?.decode_tps.median.value ?? null), lo: cells.map((c) => c?.decode_tps.median.lo ?? null), hi: cells.map((c) => c?.decode_tps.median.hi ?? null) };
      });
      charts.push({ id, kind: 'bars', title: `${m.spec}: decode tokens/s by prompt length`, categories: lengths.map((l) => `${l} tokens`), y: axisFor(seriesValues(series), { title: 'tokens/s', unit: 'tokens/s' }), series });
      const serving = t.serving
        .map((l) => `<tr><td class="num">${l.concurrency}</td><td class="num">${f(l.request_throughput, 2)}</td><td class="num">${f(l.output_tps)}</td><td class="num">${f(l.ttft_ms.median.value, 0)}</td><td class="num">${f(l.ttft_ms.p99, 0)}</td><td class="num">${f(l.tpot_ms.median.value)}</td><td class="num">${f(l.itl_ms.p99)}</td><td class="num">${f(l.e2e_ms.median.value, 0)}</td><td class="num">${l.goodput === null ? '—' : f(l.goodput, 2)}</td></tr>`)
        .join('');
      const roof = t.roofline ? `<p class="small muted">Roofline: ${f(t.roofline.bandwidth_gbs)} GB/s of memory bandwidth and ${f(t.roofline.bytes_per_token / 1e6)} MB read per token allow ${f(t.roofline.limit_tps)} tokens/s; measured ${f(t.roofline.percent_of_limit)}% of it.</p>` : '';
      const incomplete = summary.complete ? '' : `<p class="small muted">Incomplete run${summary.error ? ` (stopped by: ${esc(summary.error)})` : ''}: only the cells finished are shown.</p>`;
      const chart = t.grid.length ? `<figure class="chart"><div class="chart-box"><canvas id="${id}" role="img" aria-label="${esc(`decode tokens per second, ${m.spec}`)}"></canvas></div></figure>` : '';
      const table = serving ? `<div class="table-wrap"><table class="data"><thead><tr><th class="num">concurrency</th><th class="num">req/s</th><th class="num">output tok/s</th><th class="num">TTFT p50 ms</th><th class="num">TTFT p99</th><th class="num">TPOT p50 ms</th><th class="num">ITL p99 ms</th><th class="num">E2E p50 ms</th><th class="num">goodput</th></tr></thead><tbody>${serving}</tbody></table></div>` : '';
      return `<h3>${esc(m.spec)}</h3>${incomplete}${chart}${roof}${table}`;
    }),
  );
  return {
    id: 'throughput',
    nav: 'Throughput',
    html: `<section id="throughput"><h2>Throughput and latency</h2><p class="lede">Medians of timed repetitions with 95% bootstrap intervals (whiskers); serving levels stream concurrent requests (TTFT, TPOT, ITL as in vLLM's benchmark).</p>${parts.join('\n')}</section>`,
  };
}
