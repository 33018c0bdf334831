import type { ThroughputSummary } from '../results/types.js';
import { table } from '../util/text-table.js';

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');

/** The throughput suite's console report: the grid, the serving levels and the roofline per model. */
export function throughputReport(s: ThroughputSummary): string {
  const parts: string[] = [`${s.suite} · warm-up ${s.settings.warmup}, ${s.settings.repeats} repeats · seed ${s.meta.seed}`];
  for (const m of s.models) {
    const t = m.throughput;
    parts.push(`\n${m.spec}${t.decode_tps ? `  —  batch-1 decode ${f(t.decode_tps.value)} tok/s [${f(t.decode_tps.lo)}–${f(t.decode_tps.hi)}]` : ''}`);
    if (t.grid.length > 0) {
      parts.push(
        table(
          ['batch', 'prompt', 'prefill tok/s (median [IQR])', 'decode tok/s (median [95% CI])', 'decode p90', 'decode p99'],
          t.grid.map((g) => [
            String(g.batch),
            String(g.prompt_tokens),
            `${f(g.prefill_tps.median.value, 0)} [${f(g.prefill_tps.q1, 0)}–${f(g.prefill_tps.q3, 0)}]`,
            `${f(g.decode_tps.median.value)} [${f(g.decode_tps.median.lo)}–${f(g.decode_tps.median.hi)}]`,
            f(g.decode_tps.p90),
            f(g.decode_tps.p99),
          ]),
          [true, true, true, true, true, true],
        ),
      );
    }
    if (t.serving.length > 0) {
      parts.push(
        table(
          ['concurrency', 'req/s', 'out tok/s', 'TTFT p50 ms', 'TTFT p99', 'TPOT p50 ms', 'ITL p50 ms', 'ITL p99', 'E2E p50 ms', 'goodput', 'failed', 'prompt tok', 'tokens from'],
          t.serving.map((l) => [
            String(l.concurrency),
            f(l.request_throughput, 2),
            f(l.output_tps),
            f(l.ttft_ms.median.value, 0),
            f(l.ttft_ms.p99, 0),
            f(l.tpot_ms.median.value),
            f(l.itl_ms.median.value),
            f(l.itl_ms.p99),
            f(l.e2e_ms.median.value, 0),
            l.goodput === null ? '—' : f(l.goodput, 2),
            String(l.failed),
            f(l.prompt_tokens, 0),
            `${l.token_source}${l.token_count_mismatches > 0 ? ` (${l.token_count_mismatches} mismatched)` : ''}`,
          ]),
          [true, true, true, true, true, true, true, true, true, true, true, true, false],
        ),
      );
    }
    if (t.roofline) {
      const r = t.roofline;
      parts.push(`roofline: ${f(r.bandwidth_gbs)} GB/s memory bandwidth, ${f(r.bytes_per_token / 1e6)} MB read per token → limit ${f(r.limit_tps)} tok/s; measured ${f(r.percent_of_limit)}% of it`);
    }
  }
  return parts.join('\n');
}
