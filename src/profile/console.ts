import { table } from '../util/text-table.js';
import type { ProfileResult } from './profile.js';

const mib = (b: number) => (b / 2 ** 20).toFixed(2);
const pct = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)}%` : '—');

export function profileTable(p: ProfileResult): string {
  const sweep = table(
    ['KV', 'kv heads', 'window', 'batch', 'tokens', 'KV MiB', 'analytic', 'K', 'V', 'scales', 'act. MiB', 'total MiB', 'KV saving', 'total saving', 'decode tok/s'],
    p.sweep.map((r) => [r.kv, String(r.kv_heads), r.window === null ? '—' : String(r.window), String(r.batch), String(r.seq), mib(r.kv_measured.total), mib(r.kv_analytic.total), mib(r.kv_measured.k), mib(r.kv_measured.v), mib(r.kv_measured.scales), mib(r.activations_bytes), mib(r.total_bytes), pct(r.kv_saving_pct), pct(r.total_saving_pct), r.decode_tps.toFixed(1)]),
    [false, true, true, true, true, true, true, true, true, true, true, true, true, true, true],
  );
  const acc =
    p.accuracy.length === 0
      ? ''
      : `\n\naccuracy through the cache (emotion test texts):\n${table(
          ['KV', 'window', 'accuracy % [95% CI]', 'Δ pts vs fp32'],
          p.accuracy.map((a) => [a.kv, a.window === null ? '—' : String(a.window), `${(100 * a.accuracy.value).toFixed(1)} [${(100 * a.accuracy.lo).toFixed(1)}–${(100 * a.accuracy.hi).toFixed(1)}]`, a.delta_pts.toFixed(1)]),
          [false, true, true, true],
        )}`;
  const claims = `\n\nemotion-bias memory overhead: ${pct(p.claims.bias_overhead_pct)} (claimed +15%)\nbest KV setting: ${p.claims.best_setting}: total inference memory ${pct(-p.claims.best_total_saving_pct)} (claimed −30%)`;
  return `${p.model} · ${p.params.toLocaleString('en-US')} parameters\n${sweep}${acc}${claims}`;
}
