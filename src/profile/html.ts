import { chartJs, esc, jsonForScript } from '../report/html.js';
import type { ProfileResult } from '../results/types.js';

const mib = (b: number) => (b / 2 ** 20).toFixed(2);
const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '' : '−'}${Math.abs(x).toFixed(1)}%` : '—');

/** A standalone page for one profile: memory vs length, stacked components, the timeline, the tables. */
export function profileHtml(p: ProfileResult): string {
  const settings = [...new Set(p.sweep.map((r) => `${r.kv}|${r.kv_heads}|${r.window ?? ''}`))];
  const seqs = [...new Set(p.sweep.map((r) => r.seq))].sort((a, b) => a - b);
  const longest = seqs.at(-1)!;
  const name = (key: string) => {
    const [kv, heads, window] = key.split('|');
    return `${kv} · ${heads} kv heads${window ? ` · window ${window}` : ''}`;
  };
  const lines = settings.map((key) => ({
    label: name(key),
    data: seqs.map((seq) => p.sweep.find((r) => `${r.kv}|${r.kv_heads}|${r.window ?? ''}` === key && r.batch === 1 && r.seq === seq)?.kv_measured.total ?? null).map((b) => (b === null ? null : b / 2 ** 20)),
  }));
  const atLongest = settings.map((key) => p.sweep.find((r) => `${r.kv}|${r.kv_heads}|${r.window ?? ''}` === key && r.batch === 1 && r.seq === longest)).filter((r) => r !== undefined);
  const parts = ['weights', 'K', 'V', 'scales', 'salience', 'activations'] as const;
  const stacked = parts.map((part) => ({
    label: part,
    data: atLongest.map((r) => {
      const b = { weights: r.weights_bytes, K: r.kv_measured.k, V: r.kv_measured.v, scales: r.kv_measured.scales, salience: r.kv_measured.salience, activations: r.activations_bytes }[part];
      return b / 2 ** 20;
    }),
  }));
  const data = {
    seqs,
    lines,
    stackLabels: atLongest.map((r) => name(`${r.kv}|${r.kv_heads}|${r.window ?? ''}`)),
    stacked,
    timeline: p.timeline.points,
  };
  const rows = p.sweep
    .map(
      (r) =>
        `<tr><td>${esc(r.kv)}</td><td>${r.kv_heads}</td><td>${r.window ?? '—'}</td><td>${r.batch}</td><td>${r.seq}</td><td>${mib(r.kv_measured.total)}</td><td>${mib(r.kv_analytic.total)}</td><td>${r.kv_error_pct.toFixed(3)}%</td><td>${mib(r.activations_bytes)}</td><td>${mib(r.total_bytes)}</td><td>${pct(r.kv_saving_pct)}</td><td>${pct(r.total_saving_pct)}</td><td>${r.decode_tps.toFixed(1)}</td></tr>`,
    )
    .join('');
  const acc = p.accuracy
    .map((a) => `<tr><td>${esc(a.kv)}</td><td>${a.window ?? '—'}</td><td>${(100 * a.accuracy.value).toFixed(1)}% [${(100 * a.accuracy.lo).toFixed(1)}–${(100 * a.accuracy.hi).toFixed(1)}]</td><td>${a.delta_pts >= 0 ? '+' : ''}${a.delta_pts.toFixed(1)}</td></tr>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>emobench profile · ${esc(p.model)}</title>
<style>body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2430}main{max-width:1100px;margin:auto;padding:16px}
section{background:#fff;border:1px solid #e3e6ea;border-radius:10px;padding:16px;margin:14px 0}h1{font-size:22px}h2{font-size:17px;margin-top:0}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px}th,td{padding:4px 8px;border-bottom:1px solid #eef0f2;text-align:right;white-space:nowrap}th{background:#f2f4f7}
canvas{max-height:340px}.note{color:#5b6573;font-size:13px}</style></head><body><main>
<h1>Memory profile: ${esc(p.model)}</h1><p class="note">${p.params.toLocaleString('en-US')} parameters · ${p.config.nLayers} layers · d ${p.config.dModel} · ${p.config.nHeads} heads. Memory measured from the engine (the KV cache's typed arrays; tfjs accounting for weights and activations) next to the analytic KV formula 2 × layers × kv heads × head dim × tokens × batch × bytes (+ scales, + bias salience).</p>
<section><h2>Claims</h2><p>Emotion-bias memory overhead (bias on vs off, fp32, batch 1, ${longest} tokens): <b>${pct(p.claims.bias_overhead_pct)}</b> (claimed +15%).<br>Best KV setting at ${longest} tokens: <b>${esc(p.claims.best_setting)}</b>, total inference-memory saving <b>${pct(p.claims.best_total_saving_pct)}</b> (claimed −30%).</p></section>
<section><h2>KV cache vs sequence length (batch 1)</h2><canvas id="lines"></canvas></section>
<section><h2>Components at ${longest} tokens (batch 1)</h2><canvas id="stack"></canvas></section>
<section><h2>Memory during one generation (${esc(p.timeline.setting)})</h2><canvas id="timeline"></canvas></section>
<section><h2>Sweep</h2><div class="scroll"><table><thead><tr><th>KV</th><th>kv heads</th><th>window</th><th>batch</th><th>tokens</th><th>KV MiB measured</th><th>KV MiB analytic</th><th>error</th><th>activations MiB</th><th>total MiB</th><th>KV saving</th><th>total saving</th><th>decode tok/s</th></tr></thead><tbody>${rows}</tbody></table></div></section>
${acc ? `<section><h2>Accuracy cost (emotion test texts streamed through the cache)</h2><div class="scroll"><table><thead><tr><th>KV</th><th>window</th><th>accuracy [95% CI]</th><th>Δ points vs fp32</th></tr></thead><tbody>${acc}</tbody></table></div></section>` : ''}
</main><script>${chartJs()}</script><script id="data" type="application/json">${jsonForScript(data)}</script><script>
const d = JSON.parse(document.getElementById('data').textContent);
new Chart(document.getElementById('lines'), { type: 'line', data: { labels: d.seqs, datasets: d.lines }, options: { scales: { x: { title: { display: true, text: 'tokens' } }, y: { title: { display: true, text: 'KV cache MiB' } } } } });
new Chart(document.getElementById('stack'), { type: 'bar', data: { labels: d.stackLabels, datasets: d.stacked }, options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'MiB' } } } } });
new Chart(document.getElementById('timeline'), { type: 'line', data: { labels: d.timeline.map((p) => p.step), datasets: [{ label: 'KV in use (MiB)', data: d.timeline.map((p) => p.kv_used_bytes / 1048576) }, { label: 'tfjs tensors (MiB)', data: d.timeline.map((p) => p.tf_bytes / 1048576) }] }, options: { scales: { x: { title: { display: true, text: 'decode step' } } } } });
</script></body></html>`;
}
