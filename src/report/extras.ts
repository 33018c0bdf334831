import { shaded } from '../analysis/attention-html.js';
import { readRunFolder } from '../results/summary.js';
import type { AttentionResult, ProfileResult, ThroughputSummary } from '../results/types.js';
import { esc, type ChartSpec } from './html.js';
import type { Measurement } from './published.js';
import { signedPct } from '../util/text.js';

/**
 * Runs that are not scored suites — throughput runs, memory profiles (profile.json) and attention
 * analyses (attention.json) — read for the report's speed, memory and attention sections and for
 * the published claims they measure.
 */
export interface Extras {
  throughput: { dir: string; summary: ThroughputSummary }[];
  profiles: { dir: string; profile: ProfileResult }[];
  attention: ({ dir: string } & AttentionResult)[];
}

/** A figure for a published claim that is not a per-sample metric: the claim's metric names it. */
export type ClaimFigure = Measurement & { metric: string };

/** Sorts run directories by kind; returns the scored ones for the main report, and the folders that hold no run. */
export function splitRunDirs(dirs: readonly string[]): { scored: string[]; extras: Extras; skipped: { dir: string; reason: string }[] } {
  const extras: Extras = { throughput: [], profiles: [], attention: [] };
  const scored: string[] = [];
  const skipped: { dir: string; reason: string }[] = [];
  for (const path of dirs) {
    const f = readRunFolder(path);
    if (f.kind === 'profile') extras.profiles.push({ dir: f.dir, profile: f.profile });
    else if (f.kind === 'attention') extras.attention.push({ dir: f.dir, ...f.attention });
    else if (f.kind === 'throughput') extras.throughput.push({ dir: f.dir, summary: f.summary });
    else if (f.kind === 'eval') scored.push(f.dir);
    else skipped.push({ dir: f.dir, reason: f.reason });
  }
  return { scored, extras, skipped };
}

export function measurements(x: Extras): ClaimFigure[] {
  const out: ClaimFigure[] = [];
  for (const t of x.throughput) {
    for (const m of t.summary.models) {
      const d = m.throughput.decode_tps;
      if (d) out.push({ metric: 'throughput.decode_tps', model: m.spec, value: d.value, lo: d.lo, hi: d.hi });
    }
  }
  for (const { profile: p } of x.profiles) {
    out.push({ metric: 'profile.params', model: p.model, value: p.params });
    if (Number.isFinite(p.claims.best_total_saving_pct)) out.push({ metric: 'profile.total_saving', model: p.model, value: -p.claims.best_total_saving_pct / 100 });
    if (Number.isFinite(p.claims.bias_overhead_pct)) out.push({ metric: 'profile.bias_overhead', model: p.model, value: p.claims.bias_overhead_pct / 100 });
  }
  for (const a of x.attention) {
    const l = a.summary.strong_texts > 0 ? a.summary.strong_lift : a.summary.lift;
    out.push({ metric: 'attention.lift', model: a.model, value: l.value, lo: l.lo, hi: l.hi });
  }
  return out;
}

const none = (n: number) => new Array<null>(n).fill(null);
const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');

export function throughputSection(x: Extras, charts: ChartSpec[]): string {
  if (x.throughput.length === 0) return '';
  const parts = x.throughput.flatMap(({ summary }) =>
    summary.models.map((m) => {
      const t = m.throughput;
      const id = `chart-tp-${charts.length}`;
      const lengths = [...new Set(t.grid.map((g) => g.prompt_tokens))];
      const batches = [...new Set(t.grid.map((g) => g.batch))];
      charts.push({
        id,
        kind: 'bars',
        title: `${m.spec}: decode tokens/s by prompt length`,
        yLabel: 'tokens/s',
        categories: lengths.map(String),
        series: batches.map((b) => {
          const cells = lengths.map((l) => t.grid.find((g) => g.batch === b && g.prompt_tokens === l));
          return { label: `batch ${b}`, values: cells.map((c) => c?.decode_tps.median.value ?? null), lo: cells.map((c) => c?.decode_tps.median.lo ?? null), hi: cells.map((c) => c?.decode_tps.median.hi ?? null) };
        }),
      });
      const serving = t.serving
        .map((l) => `<tr><td>${l.concurrency}</td><td>${f(l.request_throughput, 2)}</td><td>${f(l.output_tps)}</td><td>${f(l.ttft_ms.median.value, 0)}</td><td>${f(l.ttft_ms.p99, 0)}</td><td>${f(l.tpot_ms.median.value)}</td><td>${f(l.itl_ms.p99)}</td><td>${f(l.e2e_ms.median.value, 0)}</td><td>${l.goodput === null ? '—' : f(l.goodput, 2)}</td></tr>`)
        .join('');
      const roof = t.roofline ? `<p class="small muted">Roofline: ${f(t.roofline.bandwidth_gbs)} GB/s of memory bandwidth and ${f(t.roofline.bytes_per_token / 1e6)} MB read per token allow ${f(t.roofline.limit_tps)} tokens/s; measured ${f(t.roofline.percent_of_limit)}% of it.</p>` : '';
      const incomplete = summary.complete ? '' : `<p class="small muted">Incomplete run${summary.error ? ` (stopped by: ${esc(summary.error)})` : ''}: only the cells finished are shown.</p>`;
      return `<h3>${esc(m.spec)}</h3>${incomplete}${t.grid.length ? `<figure class="chart"><div class="chart-box"><canvas id="${id}"></canvas></div></figure>` : ''}${roof}${serving ? `<div class="scroll"><table class="data"><thead><tr><th>concurrency</th><th>req/s</th><th>output tok/s</th><th>TTFT p50 ms</th><th>TTFT p99</th><th>TPOT p50 ms</th><th>ITL p99 ms</th><th>E2E p50 ms</th><th>goodput</th></tr></thead><tbody>${serving}</tbody></table></div>` : ''}`;
    }),
  );
  return `<section id="throughput"><h2>Throughput and latency</h2><p class="lede">Medians of timed repetitions with 95% bootstrap intervals (whiskers); serving levels stream concurrent requests (TTFT, TPOT, ITL as in vLLM's benchmark).</p>${parts.join('\n')}</section>`;
}

export function memorySection(x: Extras, charts: ChartSpec[]): string {
  if (x.profiles.length === 0) return '';
  const parts = x.profiles.map(({ profile: p }) => {
    const key = (r: ProfileResult['sweep'][number]) => `${r.kv} · ${r.kv_heads} kv heads${r.window ? ` · window ${r.window}` : ''}`;
    const one = p.sweep.filter((r) => r.batch === Math.min(...p.sweep.map((x) => x.batch)));
    const settings = [...new Set(one.map(key))];
    const seqs = [...new Set(one.map((r) => r.seq))].sort((a, b) => a - b);
    const idLines = `chart-mem-${charts.length}`;
    charts.push({
      id: idLines,
      kind: 'bars',
      title: `${p.model}: KV cache MiB by sequence length`,
      yLabel: 'MiB',
      categories: seqs.map(String),
      series: settings.map((s) => ({ label: s, values: seqs.map((q) => (one.find((r) => key(r) === s && r.seq === q)?.kv_measured.total ?? NaN) / 2 ** 20), lo: none(seqs.length), hi: none(seqs.length) })),
    });
    const longest = one.filter((r) => r.seq === seqs.at(-1));
    const idStack = `chart-mem-${charts.length}`;
    const comps: [string, (r: (typeof longest)[number]) => number][] = [
      ['weights', (r) => r.weights_bytes],
      ['K', (r) => r.kv_measured.k],
      ['V', (r) => r.kv_measured.v],
      ['scales', (r) => r.kv_measured.scales],
      ['activations', (r) => r.activations_bytes],
    ];
    charts.push({ id: idStack, kind: 'bars', title: `${p.model}: memory by component at ${seqs.at(-1)} tokens`, yLabel: 'MiB', categories: longest.map(key), series: comps.map(([label, g]) => ({ label, values: longest.map((r) => g(r) / 2 ** 20), lo: none(longest.length), hi: none(longest.length) })) });
    const rows = p.sweep
      .map((r) => `<tr><td>${esc(key(r))}</td><td>${r.batch}</td><td>${r.seq}</td><td>${f(r.kv_measured.total / 2 ** 20, 2)}</td><td>${f(r.kv_analytic.total / 2 ** 20, 2)}</td><td>${f(r.kv_saving_pct)}%</td><td>${f(r.total_saving_pct)}%</td><td>${f(r.decode_tps)}</td></tr>`)
      .join('');
    const acc = p.accuracy.map((a) => `${esc(a.kv)}${a.window ? ` (window ${a.window})` : ''}: ${f(100 * a.accuracy.value)}% (${a.delta_pts >= 0 ? '+' : ''}${f(a.delta_pts)} pts)`).join(' · ');
    // Profiles written before the field existed have no `complete`: they were whole.
    const incomplete = p.complete === false ? '<p class="small muted">Incomplete profile (stopped before the end): only the settings measured are shown.</p>' : '';
    return `<h3>${esc(p.model)}</h3>${incomplete}<figure class="chart"><div class="chart-box"><canvas id="${idLines}"></canvas></div></figure><figure class="chart"><div class="chart-box"><canvas id="${idStack}"></canvas></div></figure>
${acc ? `<p class="small">Accuracy through the cache: ${acc}</p>` : ''}<p class="small">Emotion-bias memory overhead ${f(p.claims.bias_overhead_pct)}%; best KV setting: ${esc(p.claims.best_setting)}, total inference memory −${f(p.claims.best_total_saving_pct)}%.</p>
<div class="scroll"><table class="data"><thead><tr><th>setting</th><th>batch</th><th>tokens</th><th>KV MiB measured</th><th>analytic</th><th>KV saving</th><th>total saving</th><th>decode tok/s</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  });
  return `<section id="memory"><h2>Memory (VRAM) profile</h2><p class="lede">KV-cache bytes read from the cache itself after a generation filled it, next to the analytic formula; savings against fp32 with the same shape.</p>${parts.join('\n')}</section>`;
}

export function attentionSection(x: Extras): string {
  if (x.attention.length === 0) return '';
  const parts = x.attention.map((a) => {
    const samples = a.texts.slice(0, 8).map((t) => `<div class="att"><div><b class="small">bias on</b> ${shaded(t, t.received_on)}</div><div><b class="small">bias off</b> ${shaded(t, t.received_off)}</div></div>`);
    return `<h3>${esc(a.model)}</h3><p>Attention lift on emotion words: <b>${signedPct(a.summary.lift.value)}</b> [${signedPct(a.summary.lift.lo)}, ${signedPct(a.summary.lift.hi)}] over ${a.summary.texts} texts; strongly emotional: <b>${signedPct(a.summary.strong_lift.value)}</b> over ${a.summary.strong_texts}.</p>${samples.join('')}`;
  });
  return `<section id="attention"><h2>Attention view</h2><p class="lede">Tokens shaded by the attention they receive (emotion-bias layers and heads averaged), with the bias on and off; emotion words underlined.</p><style>.att{margin:8px 0;word-break:break-word}.att span{border-radius:3px}.att .emo{text-decoration:underline 2px}</style>${parts.join('\n')}</section>`;
}
