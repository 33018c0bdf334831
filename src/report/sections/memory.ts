import type { ProfileResult } from '../../profile/profile.js';
import { esc } from '../../util/html.js';
import { bytes, byteUnit, f, interval, signedPct } from '../cells.js';
import { axisFor, type ChartSpec } from '../charts.js';
import type { Section } from '../page.js';

/**
 * A memory profile (profile.json): KV cache against sequence length, memory by component at the
 * longest length, memory during one generation, the sweep and the accuracy through the cache. The
 * combined report and the profile's own page both render it from here.
 */

type Row = ProfileResult['sweep'][number];
const setting = (r: Pick<Row, 'kv' | 'kv_heads' | 'window'>) => `${r.kv} · ${r.kv_heads} kv heads${r.window ? ` · window ${r.window}` : ''}`;
const pct = (x: number) => (Number.isFinite(x) ? signedPct(x / 100) : '—');

function oneProfile(p: ProfileResult, charts: ChartSpec[], headingLevel: 'h2' | 'h3'): string {
  const minBatch = Math.min(...p.sweep.map((r) => r.batch));
  const one = p.sweep.filter((r) => r.batch === minBatch);
  const settings = [...new Set(one.map(setting))];
  const seqs = [...new Set(one.map((r) => r.seq))].sort((a, b) => a - b);
  const longest = seqs.at(-1);
  const out: string[] = [];
  if (p.complete === false) out.push('<p class="small muted">Incomplete profile (stopped before the end): only the settings measured are shown.</p>');
  out.push(`<p class="small muted">${p.params.toLocaleString('en-US')} parameters · ${p.config.nLayers} layers · d ${p.config.dModel} · ${p.config.nHeads} heads. Memory measured from the engine (the KV cache's typed arrays; tfjs accounting for weights and activations) next to the analytic KV formula 2 × layers × kv heads × head dim × tokens × batch × bytes (+ scales, + bias salience).</p>`);

  if (seqs.length > 0) {
    const kvBytes = settings.map((s) => seqs.map((q) => one.find((r) => setting(r) === s && r.seq === q)?.kv_measured.total ?? null));
    const u = byteUnit(kvBytes.flat().filter((b): b is number => b !== null));
    const series = settings.map((s, i) => ({ label: s, values: kvBytes[i]!.map((b) => (b === null ? null : b / u.div)) }));
    const id = `chart-mem-${charts.length}`;
    charts.push({ id, kind: 'lines', title: `${p.model}: KV cache by sequence length (batch ${minBatch})`, categories: seqs.map(String), x: { title: 'tokens', scale: 'linear', unit: 'tokens' }, y: axisFor(series.flatMap((s) => s.values), { title: `KV cache ${u.unit}`, unit: u.unit }), series });
    out.push(`<figure class="chart"><div class="chart-box"><canvas id="${id}" role="img" aria-label="${esc(`KV cache by sequence length, ${p.model}`)}"></canvas></div></figure>`);

    const atLongest = one.filter((r) => r.seq === longest);
    const comps: [string, (r: Row) => number][] = [
      ['weights', (r) => r.weights_bytes],
      ['K', (r) => r.kv_measured.k],
      ['V', (r) => r.kv_measured.v],
      ['scales', (r) => r.kv_measured.scales],
      ['salience', (r) => r.kv_measured.salience],
      ['activations', (r) => r.activations_bytes],
    ];
    const totals = atLongest.map((r) => comps.reduce((a, [, g]) => a + g(r), 0));
    const cu = byteUnit(totals);
    const idStack = `chart-mem-${charts.length}`;
    charts.push({
      id: idStack,
      kind: 'stacked',
      title: `${p.model}: memory by component at ${longest} tokens`,
      categories: atLongest.map(setting),
      // A stack is read against its total, so the axis is scaled to the tallest stack.
      y: axisFor(totals.map((t) => t / cu.div), { title: cu.unit, unit: cu.unit }),
      series: comps.map(([label, g]) => ({ label, values: atLongest.map((r) => g(r) / cu.div) })),
    });
    out.push(`<figure class="chart"><div class="chart-box"><canvas id="${idStack}" role="img" aria-label="${esc(`memory by component, ${p.model}`)}"></canvas></div></figure>`);
  }

  const points = p.timeline.points;
  if (points.length > 0) {
    // The cache is a small part of what tfjs holds: each line gets its own axis and unit, or the cache
    // is a flat line at the bottom of the tensors' scale.
    const ku = byteUnit(points.map((q) => q.kv_used_bytes));
    const tu = byteUnit(points.map((q) => q.tf_bytes));
    const kv = points.map((q) => q.kv_used_bytes / ku.div);
    const tf = points.map((q) => q.tf_bytes / tu.div);
    const id = `chart-mem-${charts.length}`;
    charts.push({
      id,
      kind: 'lines',
      title: `${p.model}: memory during one generation (${p.timeline.setting})`,
      categories: points.map((q) => String(q.step)),
      x: { title: 'decode step', scale: 'linear', unit: '' },
      y: axisFor(kv, { title: `KV cache in use, ${ku.unit} (left)`, unit: ku.unit }),
      y2: axisFor(tf, { title: `tfjs tensors, ${tu.unit} (right)`, unit: tu.unit }),
      series: [
        { label: `KV cache in use (${ku.unit}, left axis)`, values: kv },
        { label: `tfjs tensors (${tu.unit}, right axis)`, values: tf, right: true },
      ],
    });
    out.push(`<figure class="chart"><div class="chart-box"><canvas id="${id}" role="img" aria-label="${esc(`memory during one generation, ${p.model}`)}"></canvas></div></figure>`);
  }

  const acc = p.accuracy.map(
    (a) => `<tr><td>${esc(a.kv)}</td><td class="num">${a.window ?? '—'}</td><td class="num">${f(100 * a.accuracy.value)}%${interval(a.accuracy.lo, a.accuracy.hi, (x) => `${f(100 * x)}%`, a.accuracy.n)}</td><td class="num">${a.delta_pts >= 0 ? '+' : ''}${f(a.delta_pts)}</td></tr>`,
  );
  out.push(`<p class="small">Emotion-bias memory overhead (bias on vs off${longest ? `, ${longest} tokens` : ''}): <b>${pct(p.claims.bias_overhead_pct)}</b>. Best KV setting: <b>${esc(p.claims.best_setting)}</b>, total inference memory <b>${pct(-p.claims.best_total_saving_pct)}</b>.</p>`);
  if (acc.length > 0) out.push(`<div class="table-wrap"><table class="data"><thead><tr><th>KV</th><th class="num">window</th><th class="num">accuracy through the cache [95% CI]</th><th class="num">Δ points vs fp32</th></tr></thead><tbody>${acc.join('')}</tbody></table></div>`);
  const rows = p.sweep.map(
    (r) =>
      `<tr><td>${esc(setting(r))}</td><td class="num">${r.batch}</td><td class="num">${r.seq}</td><td class="num">${bytes(r.kv_measured.total)}</td><td class="num">${bytes(r.kv_analytic.total)}</td><td class="num">${f(r.kv_error_pct, 3)}%</td><td class="num">${bytes(r.activations_bytes)}</td><td class="num">${bytes(r.total_bytes)}</td><td class="num">${pct(-r.kv_saving_pct)}</td><td class="num">${pct(-r.total_saving_pct)}</td><td class="num">${f(r.decode_tps)}</td></tr>`,
  );
  out.push(`<div class="table-wrap"><table class="data"><thead><tr><th>setting</th><th class="num">batch</th><th class="num">tokens</th><th class="num">KV measured</th><th class="num">KV analytic</th><th class="num">error</th><th class="num">activations</th><th class="num">total</th><th class="num">KV change</th><th class="num">total change</th><th class="num">decode tok/s</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`);
  return `<${headingLevel}>${esc(p.model)}</${headingLevel}>${out.join('\n')}`;
}

export function memorySection(profiles: readonly { profile: ProfileResult }[], charts: ChartSpec[]): Section | undefined {
  if (profiles.length === 0) return undefined;
  const parts = profiles.map(({ profile }) => oneProfile(profile, charts, 'h3'));
  return {
    id: 'memory',
    nav: 'Memory',
    html: `<section id="memory"><h2>Memory (VRAM) profile</h2><p class="lede">KV-cache bytes read from the cache itself after a generation filled it, next to the analytic formula; changes against fp32 with the same shape.</p>${parts.join('\n')}</section>`,
  };
}
