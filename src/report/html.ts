import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { LoadedRun } from '../results/summary.js';
import { attentionSection, measurements, memorySection, throughputSection, type ClaimFigure, type Extras } from './extras.js';
import { holm, mcnemar } from '../compare/paired.js';
import type { ModelResult, SampleRecord } from '../results/types.js';
import type { Estimate } from '../scoring/ci.js';
import { UNPARSEABLE } from '../scoring/classification.js';
import { CLIENT_CSS, CLIENT_JS } from './html-client.js';
import { EXTRA_COLUMNS, extraValue } from './leaderboard.js';
import { evaluateClaims, formatClaimValue, type ClaimRow, type PublishedClaim } from './published.js';

/**
 * `emobench report`: one self-contained HTML file (chart.js inlined, no fonts or CDNs) from one or
 * more run directories. Pure apart from reading chart.js once: the caller loads the runs and the
 * published claims.
 *
 * Safety: every piece of dataset or model text goes through `esc()` in HTML, JSON embedded in
 * <script> goes through `jsonForScript()` (no `<`, `>`, `&`, U+2028/9 survive, so `</script>` or
 * `<!--` in data cannot end the block), and the in-page script renders data with textContent only.
 */

export interface ReportOptions {
  title?: string;
  /** ISO time shown in the header; default now (pass one for reproducible output). */
  generatedAt?: string;
  /** Claims from baselines/published.json; the section says so when none are given. */
  claims?: readonly PublishedClaim[];
  /** Significance level of the tie test (default 0.05). */
  alpha?: number;
  /** Rows per embedded JSON block of the sample explorer (default 5,000). */
  chunkRows?: number;
  /** Samples per explorer page (default 50). */
  pageSize?: number;
  /** Throughput runs, memory profiles and attention analyses shown beside the scored runs. */
  extras?: Extras;
}

// ---------------------------------------------------------------------------------------------
// Escaping

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value → HTML. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON that is safe inside <script type="application/json">: `<`, `>`, `&` and the JS line
 * separators become \uXXXX escapes, which JSON.parse turns back into the same characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A script's source inside <script>…</script>: the only sequences that could end or alter the element. */
function inlineScript(src: string): string {
  return src.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

let chartJsSource: string | undefined;

/** chart.js's UMD build, read once from node_modules (its exports map hides dist/, so go via the main entry). */
export function chartJs(): string {
  if (chartJsSource === undefined) {
    const require = createRequire(import.meta.url);
    const file = join(dirname(require.resolve('chart.js')), 'chart.umd.js');
    chartJsSource = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  }
  return chartJsSource;
}

// ---------------------------------------------------------------------------------------------
// Statistical ties with the leader

export interface TieInput {
  accuracy: number;
  macroF1: number;
  samples: readonly SampleRecord[];
}

export interface TieResult {
  leader: boolean;
  /** Not significantly different from the leader (the leader itself is tied). */
  tied: boolean;
  /** Samples both scored; 0 = could not be tested. */
  shared: number;
  /** Items only the leader got right / only this model got right. */
  onlyLeader: number;
  onlyThis: number;
  p: number | null;
  pHolm: number | null;
}

const right = (s: SampleRecord) => s.error === null && s.correct;

/**
 * Within one suite: the leader is the best accuracy (then macro-F1); every other model is compared
 * with it by an exact McNemar test on the sample ids both scored, the p-values are Holm-corrected
 * over those k−1 comparisons, and a model is tied when the corrected p ≥ alpha. A model sharing no
 * sample id with the leader cannot be tested and is not marked tied.
 */
export function tiesWithLeader(models: readonly TieInput[], alpha = 0.05): TieResult[] {
  if (models.length === 0) return [];
  const val = (x: number) => (Number.isNaN(x) ? -Infinity : x);
  let lead = 0;
  models.forEach((m, i) => {
    const l = models[lead]!;
    if (val(m.accuracy) > val(l.accuracy) || (val(m.accuracy) === val(l.accuracy) && val(m.macroF1) > val(l.macroF1))) lead = i;
  });
  const leaderById = new Map(models[lead]!.samples.map((s) => [s.id, s]));
  const results: TieResult[] = models.map((m, i) => {
    if (i === lead) return { leader: true, tied: true, shared: m.samples.length, onlyLeader: 0, onlyThis: 0, p: null, pHolm: null };
    let shared = 0;
    let onlyLeader = 0;
    let onlyThis = 0;
    for (const s of m.samples) {
      const l = leaderById.get(s.id);
      if (!l) continue;
      shared++;
      if (right(l) && !right(s)) onlyLeader++;
      else if (!right(l) && right(s)) onlyThis++;
    }
    return { leader: false, tied: false, shared, onlyLeader, onlyThis, p: shared > 0 ? mcnemar(onlyLeader, onlyThis) : null, pHolm: null };
  });
  const tested = results.filter((r) => r.p !== null);
  holm(tested.map((r) => r.p!)).forEach((adj, k) => {
    tested[k]!.pHolm = adj;
    tested[k]!.tied = adj >= alpha;
  });
  return results;
}

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

// ---------------------------------------------------------------------------------------------
// Model entries: one per (run, model)

interface Entry {
  index: number;
  label: string;
  spec: string;
  suite: string;
  labels: string[];
  run: string;
  runIndex: number;
  complete: boolean;
  result: ModelResult;
  samples: SampleRecord[];
}

function runNames(runs: readonly LoadedRun[]): string[] {
  const names = runs.map((r) => basename(r.dir.replace(/[\\/]+$/, '')) || r.dir);
  return names.map((n, i) => (names.indexOf(n) !== i || names.lastIndexOf(n) !== i ? `${n} #${i + 1}` : n));
}

function entriesOf(runs: readonly LoadedRun[]): Entry[] {
  const names = runNames(runs);
  const entries: Entry[] = [];
  runs.forEach((run, runIndex) => {
    const bySpec = new Map<string, SampleRecord[]>();
    for (const s of run.samples) {
      if (s.suite !== run.summary.suite) continue;
      let list = bySpec.get(s.model);
      if (!list) bySpec.set(s.model, (list = []));
      list.push(s);
    }
    for (const result of run.summary.models) {
      entries.push({
        index: entries.length,
        label: result.spec,
        spec: result.spec,
        suite: run.summary.suite,
        labels: run.summary.labels,
        run: names[runIndex]!,
        runIndex,
        complete: run.summary.complete,
        result,
        samples: bySpec.get(result.spec) ?? [],
      });
    }
  });
  // The same spec twice in one suite (e.g. two runs of nb): name the run too.
  for (const e of entries) {
    if (entries.some((o) => o !== e && o.suite === e.suite && o.spec === e.spec)) e.label = `${e.spec} · ${e.run}`;
  }
  return entries;
}

function suitesOf(entries: readonly Entry[]): string[] {
  return [...new Set(entries.map((e) => e.suite))];
}

// ---------------------------------------------------------------------------------------------
// Formatting

const pctS = (x: number, d = 1) => (Number.isFinite(x) ? (x * 100).toFixed(d) : '—');
const num = (x: number, d = 1) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '—');
const pFmt = (p: number) => (p < 0.001 ? '<0.001' : p.toFixed(3));
/** "p=0.125" or "p<0.001". */
const pEq = (p: number) => (p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`);
/** Milliseconds with precision that suits their size (0.0012, 0.39, 12.4, 1,530). */
const ms = (x: number) => (!Number.isFinite(x) ? '—' : x >= 100 ? num(x, 0) : x >= 10 ? num(x, 1) : x >= 1 ? num(x, 2) : x === 0 ? '0' : x.toPrecision(2));
/** data-v for sorting: numbers as numbers, missing values sort last. */
const dv = (x: number) => (Number.isFinite(x) ? String(x) : '');

function estCell(e: Estimate, extra = ''): string {
  if (Number.isNaN(e.value)) return `<td class="num" data-v="">—</td>`;
  return `<td class="num${extra}" data-v="${dv(e.value)}">${pctS(e.value)} <span class="ci">[${pctS(e.lo)}–${pctS(e.hi)}]</span></td>`;
}

const samplesPerSecond = (r: ModelResult) => (Number.isFinite(r.latency_ms.mean) && r.latency_ms.mean > 0 ? 1000 / r.latency_ms.mean : NaN);

// ---------------------------------------------------------------------------------------------
// Sections

interface Column {
  header: string;
  title?: string;
  /** Value used for "best" and sorting; NaN = missing. */
  value: (e: Entry) => number;
  better?: 'higher' | 'lower';
  cell: (e: Entry, best: boolean) => string;
}

function leaderboardSection(entries: readonly Entry[], alpha: number): string {
  const suites = suitesOf(entries);
  const parts: string[] = [];
  if (suites.length > 1) parts.push(overviewMatrix(entries, suites));
  for (const suite of suites) {
    const rows = entries.filter((e) => e.suite === suite);
    const ties = tiesWithLeader(rows.map((e) => ({ accuracy: e.result.metrics.accuracy.value, macroF1: e.result.metrics.macro_f1.value, samples: e.samples })), alpha);
    const tieOf = new Map(rows.map((e, i) => [e, ties[i]!]));
    const bestMark = (best: boolean) => (best ? ' best' : '');
    const cols: Column[] = [
      {
        header: 'accuracy % [95% CI]',
        title: 'Wilson 95% interval',
        value: (e) => e.result.metrics.accuracy.value,
        better: 'higher',
        cell: (e, b) => estCell(e.result.metrics.accuracy, bestMark(b)),
      },
      {
        header: 'macro-F1 % [95% CI]',
        title: 'bootstrap 95% interval',
        value: (e) => e.result.metrics.macro_f1.value,
        better: 'higher',
        cell: (e, b) => estCell(e.result.metrics.macro_f1, bestMark(b)),
      },
      { header: 'errors', value: (e) => e.result.errors, better: 'lower', cell: (e, b) => `<td class="num${bestMark(b)}" data-v="${e.result.errors}">${e.result.errors}</td>` },
      {
        header: 'unparseable',
        title: 'answers with no extractable label (failed samples not included)',
        value: (e) => e.result.metrics.unparseable - e.result.errors,
        better: 'lower',
        cell: (e, b) => `<td class="num${bestMark(b)}" data-v="${e.result.metrics.unparseable - e.result.errors}">${e.result.metrics.unparseable - e.result.errors}</td>`,
      },
      {
        header: 'mean latency ms',
        value: (e) => e.result.latency_ms.mean,
        better: 'lower',
        cell: (e, b) => `<td class="num${bestMark(b)}" data-v="${dv(e.result.latency_ms.mean)}" title="p50 ${esc(ms(e.result.latency_ms.p50))} ms · p90 ${esc(ms(e.result.latency_ms.p90))} ms">${ms(e.result.latency_ms.mean)}</td>`,
      },
    ];
    for (const c of EXTRA_COLUMNS) {
      if (!rows.some((e) => extraValue(e.result, c.key))) continue;
      cols.push({
        header: c.header,
        value: (e) => extraValue(e.result, c.key)?.value ?? NaN,
        better: c.better,
        cell: (e, b) => {
          const v = extraValue(e.result, c.key);
          if (!v) return `<td class="num" data-v="">—</td>`;
          const ci = v.lo !== undefined && v.hi !== undefined ? ` <span class="ci">[${num(v.lo, c.digits)}–${num(v.hi, c.digits)}]</span>` : '';
          return `<td class="num${bestMark(b)}" data-v="${dv(v.value)}">${num(v.value, c.digits)}${ci}</td>`;
        },
      });
    }
    const bests = cols.map((c) => {
      const vals = rows.map(c.value).filter(Number.isFinite);
      // Nothing to single out when every model has the same value (e.g. no errors anywhere).
      if (!c.better || vals.length < 2 || vals.every((v) => v === vals[0])) return NaN;
      return c.better === 'higher' ? Math.max(...vals) : Math.min(...vals);
    });
    // Default order: the leader and the models tied with it first, then the rest; by accuracy within.
    const order = [...rows].sort((a, b) => {
      const ta = tieOf.get(a)!;
      const tb = tieOf.get(b)!;
      if (ta.tied !== tb.tied) return ta.tied ? -1 : 1;
      return (b.result.metrics.accuracy.value || 0) - (a.result.metrics.accuracy.value || 0) || (b.result.metrics.macro_f1.value || 0) - (a.result.metrics.macro_f1.value || 0);
    });
    const lastTied = order.filter((e) => tieOf.get(e)!.tied).length - 1;
    const head = [
      `<th data-type="text" scope="col">model</th>`,
      `<th data-type="num" scope="col" class="left" title="leader = best accuracy; tied = not significantly different from it (exact McNemar on shared samples, Holm-corrected, α = ${alpha})">vs leader</th>`,
      `<th data-type="num" scope="col">n</th>`,
      ...cols.map((c) => `<th data-type="num" scope="col"${c.title ? ` title="${esc(c.title)}"` : ''}>${esc(c.header)}</th>`),
    ];
    const body = order.map((e, i) => {
      const t = tieOf.get(e)!;
      const tie = t.leader
        ? `<td data-v="0"><span class="badge lead" title="best accuracy in ${esc(suite)}">leader</span></td>`
        : t.p === null
          ? `<td data-v="3" title="no sample ids shared with the leader: not tested"><span class="muted">untested</span></td>`
          : `<td data-v="${t.tied ? 1 : 2}" title="McNemar on ${t.shared} shared samples: ${t.onlyLeader} only the leader got right, ${t.onlyThis} only this model; p = ${pFmt(t.p)}, Holm-adjusted p = ${pFmt(t.pHolm ?? 1)}">${t.tied ? `<span class="badge tied">tied</span>` : `<span class="badge worse">worse</span>`} <span class="ci">${pEq(t.pHolm ?? 1)}</span></td>`;
      const cls = [t.tied ? 'tied-row' : '', i === lastTied && lastTied < order.length - 1 ? 'group-end' : ''].filter(Boolean).join(' ');
      return `<tr${cls ? ` class="${cls}"` : ''}><th scope="row" data-v="${esc(e.label)}"><span class="model">${esc(e.spec)}</span>${e.label === e.spec ? '' : `<span class="run">${esc(e.run)}</span>`}${e.complete ? '' : ' <span class="badge warn" title="the run stopped early; figures cover finished samples only">incomplete</span>'}</th>${tie}<td class="num" data-v="${e.result.n}">${e.result.n.toLocaleString('en-US')}</td>${cols
        .map((c, k) => {
          const v = c.value(e);
          return c.cell(e, Number.isFinite(bests[k]!) && Number.isFinite(v) && Math.abs(v - bests[k]!) < 1e-12);
        })
        .join('')}</tr>`;
    });
    const n = rows.map((e) => e.result.n);
    parts.push(`<h3>${esc(suite)} <span class="sub">${rows.length} model${rows.length === 1 ? '' : 's'} · ${Math.max(0, ...n).toLocaleString('en-US')} samples</span></h3>
<div class="table-wrap"><table class="board sortable" data-suite="${esc(suite)}">
<thead><tr>${head.join('')}</tr></thead>
<tbody>${body.join('\n')}</tbody></table></div>`);
  }
  return `<section id="leaderboard"><h2>Leaderboard</h2>
<p class="lede">Click a column header to sort. <b class="best-key">Bold</b> marks the best value in a column. <span class="badge tied">tied</span> models are not significantly different in accuracy from the <span class="badge lead">leader</span> (exact McNemar test on the sample ids both scored, Holm-corrected across the comparisons in the suite, α = ${alpha}); they are listed first as one group.</p>
${parts.join('\n')}</section>`;
}

function overviewMatrix(entries: readonly Entry[], suites: readonly string[]): string {
  const labels = [...new Set(entries.map((e) => e.label))];
  const rows = labels.map((label) => {
    const cells = suites.map((s) => {
      const e = entries.find((x) => x.label === label && x.suite === s);
      return e ? estCell(e.result.metrics.accuracy) : `<td class="num muted" data-v="">—</td>`;
    });
    return `<tr><th scope="row" data-v="${esc(label)}">${esc(label)}</th>${cells.join('')}</tr>`;
  });
  return `<h3>All suites <span class="sub">accuracy % [95% CI]</span></h3>
<div class="table-wrap"><table class="board sortable"><thead><tr><th data-type="text" scope="col">model</th>${suites.map((s) => `<th data-type="num" scope="col">${esc(s)}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
}

/** One chart for html-client.ts to draw with chart.js; also filled by extras.ts. */
export interface ChartSpec {
  id: string;
  kind: 'bars' | 'scatter';
  title: string;
  yLabel?: string;
  xLabel?: string;
  categories?: string[];
  series?: { label: string; values: (number | null)[]; lo: (number | null)[]; hi: (number | null)[] }[];
  points?: { label: string; x: number; y: number; front: boolean }[];
  logX?: boolean;
}

const pct100 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10000) / 100 : null);

function classesSection(entries: readonly Entry[], charts: ChartSpec[]): string {
  const parts: string[] = [];
  for (const suite of suitesOf(entries)) {
    const rows = entries.filter((e) => e.suite === suite);
    const labels = rows[0]!.labels;
    const id = `chart-f1-${charts.length}`;
    charts.push({
      id,
      kind: 'bars',
      title: `${suite}: per-class F1 (%)`,
      yLabel: 'F1 %',
      categories: labels,
      series: rows.map((e) => ({
        label: e.label,
        values: labels.map((l) => pct100(e.result.metrics.per_class[l]?.f1 ?? NaN)),
        lo: labels.map((l) => pct100(e.result.metrics.per_class[l]?.f1_ci.lo ?? NaN)),
        hi: labels.map((l) => pct100(e.result.metrics.per_class[l]?.f1_ci.hi ?? NaN)),
      })),
    });
    parts.push(`<h3>${esc(suite)}</h3>
<figure class="chart"><div class="chart-box"><canvas id="${id}" role="img" aria-label="${esc(`per-class F1 by model, ${suite}`)}"></canvas></div>
<figcaption>Per-class F1 with bootstrap 95% intervals (whiskers).</figcaption></figure>
<div class="cm-grid">${rows.map((e) => confusionTable(e)).join('\n')}</div>`);
  }
  return `<section id="classes"><h2>Classes and confusions</h2>
<p class="lede">Confusion matrices: rows are the gold label, columns the prediction; shading is the share of the row (so small classes read as clearly as large ones), the number is the count. Errors are shaded red. Click a cell to see those samples.</p>
${parts.join('\n')}</section>`;
}

function confusionTable(e: Entry): string {
  const { labels, columns, matrix } = e.result.metrics.confusion;
  let worst: { g: string; p: string; rate: number; count: number; total: number } | undefined;
  const body = labels.map((gold, g) => {
    const row = matrix[g] ?? [];
    const total = row.reduce((a, b) => a + b, 0);
    const cells = columns.map((pred, p) => {
      const count = row[p] ?? 0;
      const rate = total === 0 ? 0 : count / total;
      const diag = p === g;
      if (!diag && count > 0 && (!worst || rate > worst.rate)) worst = { g: gold, p: pred, rate, count, total };
      const alpha = count === 0 ? 0 : 0.1 + 0.85 * rate;
      const rgb = diag ? '47,111,235' : '207,34,46';
      const style = alpha > 0 ? ` style="background:rgba(${rgb},${alpha.toFixed(3)})${alpha > 0.55 ? ';color:#fff' : ''}"` : '';
      const tip = `gold ${gold} → predicted ${pred}: ${count} of ${total} (${pctS(rate)}%)`;
      return `<td class="cm${diag ? ' diag' : ''}${count === 0 ? ' zero' : ''}"${style} title="${esc(tip)}" tabindex="0" data-entry="${e.index}" data-gold="${esc(gold)}" data-pred="${esc(pred)}"><b>${count}</b>${count === 0 ? '' : `<small>${pctS(rate, 0)}%</small>`}</td>`;
    });
    return `<tr><th scope="row">${esc(gold)}</th>${cells.join('')}<td class="num muted">${total}</td></tr>`;
  });
  const w = worst as { g: string; p: string; rate: number; count: number; total: number } | undefined;
  const note = w ? `most frequent confusion: <b>${esc(w.g)} → ${esc(w.p)}</b> ${pctS(w.rate)}% (${w.count} of ${w.total})` : 'no confusions';
  return `<figure class="cm-card"><figcaption><span class="model">${esc(e.label)}</span> <span class="sub">${esc(e.suite)}</span><br><span class="muted small">${note}</span></figcaption>
<div class="table-wrap"><table class="cm-table"><thead><tr><th scope="col" class="corner">gold ↓<br>pred →</th>${columns.map((c) => (c === UNPARSEABLE ? `<th scope="col" class="unp" title="${esc(c)}">(unpars&shy;eable)</th>` : `<th scope="col">${esc(c)}</th>`)).join('')}<th scope="col" class="muted">n</th></tr></thead>
<tbody>${body.join('\n')}</tbody></table></div></figure>`;
}

function languagesSection(entries: readonly Entry[], charts: ChartSpec[]): string {
  const parts: string[] = [];
  for (const suite of suitesOf(entries)) {
    const rows = entries.filter((e) => e.suite === suite);
    const langs = [...new Set(rows.flatMap((e) => Object.keys(e.result.by_lang)))].sort((a, b) => (a === 'en' ? -1 : b === 'en' ? 1 : a < b ? -1 : 1));
    if (langs.length === 0) continue;
    const id = `chart-lang-${charts.length}`;
    charts.push({
      id,
      kind: 'bars',
      title: `${suite}: accuracy by language (%)`,
      yLabel: 'accuracy %',
      categories: langs,
      series: rows.map((e) => ({
        label: e.label,
        values: langs.map((l) => pct100(e.result.by_lang[l]?.accuracy.value ?? NaN)),
        lo: langs.map((l) => pct100(e.result.by_lang[l]?.accuracy.lo ?? NaN)),
        hi: langs.map((l) => pct100(e.result.by_lang[l]?.accuracy.hi ?? NaN)),
      })),
    });
    const others = langs.filter((l) => l !== 'en');
    let gap: string;
    if (!langs.includes('en')) gap = `<p class="muted">No English samples in this suite, so there is no non-native gap to compute.</p>`;
    else if (others.length === 0) gap = `<p class="muted">Only English samples in this suite.</p>`;
    else {
      const body = rows.map((e) => {
        const en = e.result.by_lang['en'];
        const cells = others.map((l) => {
          const b = e.result.by_lang[l];
          if (!en || !b || Number.isNaN(en.accuracy.value) || Number.isNaN(b.accuracy.value)) return `<td class="num muted" data-v="">—</td>`;
          const d = (b.accuracy.value - en.accuracy.value) * 100;
          return `<td class="num${d < 0 ? ' neg' : ''}" data-v="${d}" title="${esc(`${l}: ${pctS(b.accuracy.value)}% of ${b.n} · en: ${pctS(en.accuracy.value)}% of ${en.n}`)}">${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(1)}</td>`;
        });
        return `<tr><th scope="row" data-v="${esc(e.label)}">${esc(e.label)}</th><td class="num" data-v="${dv(en?.accuracy.value ?? NaN)}">${pctS(en?.accuracy.value ?? NaN)}</td>${cells.join('')}</tr>`;
      });
      gap = `<div class="table-wrap"><table class="board sortable narrow"><thead><tr><th data-type="text" scope="col">model</th><th data-type="num" scope="col">accuracy en %</th>${others.map((l) => `<th data-type="num" scope="col">gap ${esc(l)} (pts)</th>`).join('')}</tr></thead>
<tbody>${body.join('\n')}</tbody></table></div>`;
    }
    parts.push(`<h3>${esc(suite)}</h3>
<figure class="chart"><div class="chart-box"><canvas id="${id}" role="img" aria-label="${esc(`accuracy by language, ${suite}`)}"></canvas></div>
<figcaption>Accuracy per language with Wilson 95% intervals.</figcaption></figure>
<h4>Non-native gap</h4><p class="muted small">Each language's accuracy minus English's, in percentage points (negative = worse than English).</p>
${gap}`);
  }
  if (parts.length === 0) parts.push('<p class="muted">The runs record no languages.</p>');
  return `<section id="languages"><h2>Languages</h2>\n${parts.join('\n')}</section>`;
}

function speedSection(entries: readonly Entry[], charts: ChartSpec[]): string {
  const parts: string[] = [];
  for (const suite of suitesOf(entries)) {
    const rows = entries.filter((e) => e.suite === suite);
    const pts = rows.map((e) => ({ label: e.label, x: samplesPerSecond(e.result), y: e.result.metrics.macro_f1.value * 100 }));
    const usable = pts.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (usable.length === 0) continue;
    const front = new Set(paretoFront(pts));
    const xs = usable.map((p) => p.x);
    const id = `chart-speed-${charts.length}`;
    charts.push({
      id,
      kind: 'scatter',
      title: `${suite}: quality vs speed`,
      xLabel: 'samples/s (1000 / mean latency ms)',
      yLabel: 'macro-F1 %',
      logX: Math.max(...xs) / Math.max(1e-9, Math.min(...xs)) > 20,
      points: pts.map((p, i) => ({ ...p, y: Math.round(p.y * 100) / 100, front: front.has(i) })).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)),
    });
    parts.push(`<h3>${esc(suite)}</h3>
<figure class="chart"><div class="chart-box tall"><canvas id="${id}" role="img" aria-label="${esc(`macro-F1 against samples per second, ${suite}`)}"></canvas></div>
<figcaption>The dashed line is the Pareto front: models no other model beats on both quality and speed (${[...front].map((i) => esc(pts[i]!.label)).join(', ')}).</figcaption></figure>`);
  }
  if (parts.length === 0) parts.push('<p class="muted">No latencies recorded.</p>');
  return `<section id="speed"><h2>Quality vs speed</h2>
<p class="lede">Speed is 1000 / mean latency per sample, i.e. one request at a time; batching and concurrency are not counted.</p>
${parts.join('\n')}</section>`;
}

function claimsSection(entries: readonly Entry[], claims: readonly PublishedClaim[] | undefined, extra: readonly ClaimFigure[]): string {
  const rule = `<p class="lede">A claim is <span class="badge ok">reproduced</span> when the measured 95% interval contains the claimed value or lies on the better side of it (for an "at least" claim: upper end ≥ claim; for an "at most" claim: lower end ≤ claim; a point value where there is no interval), <span class="badge bad">not reproduced</span> when the whole interval is on the worse side, and <span class="badge none">not measured</span> when no run has that metric for that model.</p>`;
  if (!claims || claims.length === 0) return `<section id="claims"><h2>Published claims</h2>${rule}<p class="muted">No published claims were given (baselines/published.json).</p></section>`;
  const rows = evaluateClaims(
    claims,
    entries.map((e) => ({ suite: e.suite, label: e.label, result: e.result })),
    extra,
  );
  const cls: Record<ClaimRow['status'], string> = { reproduced: 'ok', 'not reproduced': 'bad', 'not measured': 'none' };
  const body = rows.map((r) => {
    const c = r.claim;
    const m = r.measured;
    const ci = m && m.lo !== undefined && m.hi !== undefined ? ` <span class="ci">[${esc(formatClaimValue(m.lo, c.unit))}–${esc(formatClaimValue(m.hi, c.unit))}]</span>` : '';
    const measured = m ? `${esc(formatClaimValue(m.value, c.unit))}${ci}${m.n !== undefined ? ` <span class="muted small">n=${m.n}</span>` : ''}` : '<span class="muted">—</span>';
    const dir = c.direction === 'lower' ? 'at most' : 'at least';
    return `<tr><td><span class="claim">${esc(c.claim)}</span><br><span class="muted small">${esc(c.id)} · ${esc(c.source)}${c.note ? ` · ${esc(c.note)}` : ''}</span></td><td><code>${esc(c.metric ?? '—')}</code></td><td>${esc(c.model ?? 'any')}${m ? `<br><span class="muted small">as ${esc(m.model)}</span>` : ''}</td><td class="num" title="${dir}">${esc(formatClaimValue(c.value, c.unit))}</td><td class="num">${measured}</td><td><span class="badge ${cls[r.status]}">${esc(r.status)}</span></td></tr>`;
  });
  const count = (s: ClaimRow['status']) => rows.filter((r) => r.status === s).length;
  return `<section id="claims"><h2>Published claims</h2>
${rule}
<p class="muted small">${count('reproduced')} reproduced · ${count('not reproduced')} not reproduced · ${count('not measured')} not measured</p>
<div class="table-wrap"><table class="claims"><thead><tr><th scope="col">claim</th><th scope="col">metric</th><th scope="col">model</th><th scope="col">claimed</th><th scope="col">measured [95% CI]</th><th scope="col">status</th></tr></thead>
<tbody>${body.join('\n')}</tbody></table></div></section>`;
}

/** Sample rows for the explorer: [entry, id, lang, gold, pred|null, status, input index, output, error, latency]. */
type Row = [number, string, string, string, string | null, 0 | 1 | 2 | 3, number, string, string | null, number];

function explorerData(entries: readonly Entry[], chunkRows: number): { blocks: string[]; total: number; rowChunks: number; inputChunks: number; golds: string[]; preds: string[] } {
  const inputs: string[] = [];
  const inputIndex = new Map<string, number>();
  const rows: Row[] = [];
  for (const e of entries) {
    for (const s of e.samples) {
      const key = `${e.suite}\u0000${s.id}\u0000${s.input}`;
      let k = inputIndex.get(key);
      if (k === undefined) {
        k = inputs.length;
        inputs.push(s.input);
        inputIndex.set(key, k);
      }
      const pred = s.error === null ? s.pred : null;
      const status = s.error !== null ? 3 : pred === null || !e.labels.includes(pred) ? 2 : s.correct ? 1 : 0;
      rows.push([e.index, s.id, s.lang, s.expected, pred, status, k, s.output, s.error, Math.round(s.latency_ms * 1000) / 1000]);
    }
  }
  const blocks: string[] = [];
  let rowChunks = 0;
  for (let i = 0; i < rows.length; i += chunkRows, rowChunks++) {
    blocks.push(`<script type="application/json" class="eb-rows">${jsonForScript(rows.slice(i, i + chunkRows))}</script>`);
  }
  let inputChunks = 0;
  for (let i = 0; i < inputs.length; i += chunkRows, inputChunks++) {
    blocks.push(`<script type="application/json" class="eb-inputs">${jsonForScript(inputs.slice(i, i + chunkRows))}</script>`);
  }
  const golds = [...new Set(entries.flatMap((e) => e.labels))];
  return { blocks, total: rows.length, rowChunks, inputChunks, golds, preds: [...golds, UNPARSEABLE] };
}

function explorerSection(entries: readonly Entry[]): string {
  const opt = (v: string | number, text: string) => `<option value="${esc(v)}">${esc(text)}</option>`;
  const suites = suitesOf(entries);
  const labels = [...new Set(entries.flatMap((e) => e.labels))];
  return `<section id="samples"><h2>Sample explorer</h2>
<form class="filters" id="ex-form" autocomplete="off" onsubmit="return false">
<label>model<select id="ex-model">${opt('', 'all models')}${entries.map((e) => opt(e.index, suites.length > 1 ? `${e.label} (${e.suite})` : e.label)).join('')}</select></label>
<label>suite<select id="ex-suite">${opt('', 'all suites')}${suites.map((s) => opt(s, s)).join('')}</select></label>
<label>gold label<select id="ex-gold">${opt('', 'any')}${labels.map((l) => opt(l, l)).join('')}</select></label>
<label>predicted<select id="ex-pred">${opt('', 'any')}${[...labels, UNPARSEABLE].map((l) => opt(l, l)).join('')}</select></label>
<label>outcome<select id="ex-outcome">${opt('', 'all')}${opt('1', 'correct')}${opt('wrong', 'wrong (any)')}${opt('0', 'wrong label')}${opt('2', 'unparseable')}${opt('3', 'error')}</select></label>
<label class="search">search<input id="ex-q" type="search" placeholder="text, output or id"></label>
<button type="button" id="ex-reset">reset</button>
</form>
<div class="ex-status"><span id="ex-count" aria-live="polite">loading…</span><span class="pager"><button type="button" id="ex-prev" aria-label="previous page">‹ prev</button><span id="ex-page"></span><button type="button" id="ex-next" aria-label="next page">next ›</button></span></div>
<div id="ex-results" class="samples"></div>
<noscript><p class="muted">The sample explorer needs JavaScript.</p></noscript>
</section>`;
}

function metadataSection(runs: readonly LoadedRun[]): string {
  const names = runNames(runs);
  const cards = runs.map((run, i) => {
    const s = run.summary;
    const m = s.meta;
    const dur = (Date.parse(m.ended_at) - Date.parse(m.started_at)) / 1000;
    const kv: [string, string][] = [
      ['directory', `<code>${esc(run.dir)}</code>`],
      ['suite', `${esc(s.suite)} (${esc(s.task)}) · <code>${esc(m.suite.file)}</code><br><span class="hash">sha256 ${esc(m.suite.sha256)}</span>`],
      ['dataset', `<code>${esc(m.dataset.path)}</code> (${esc(m.dataset.format)})<br><span class="hash">sha256 ${esc(m.dataset.sha256)}</span>`],
      ['rows', `${m.dataset.rows} read · ${m.dataset.eval_rows} scored · ${m.dataset.train_rows} train${m.dataset.skipped ? ` · ${m.dataset.skipped} skipped` : ''}${m.dataset.dropped_by_mapping ? ` · ${m.dataset.dropped_by_mapping} dropped by label mapping` : ''}`],
      ['models', s.models.map((x) => `<code>${esc(x.spec)}</code> <span class="hash">${esc(x.meta.config_hash)}</span>`).join('<br>')],
      ['seed', `${esc(m.seed)}${m.limit !== null ? ` · limit ${esc(m.limit)}` : ''}${m.shard ? ` · shard ${esc(JSON.stringify(m.shard))}` : ''}`],
      ['emobench', `${esc(m.emobench)} · commit <code>${esc(m.git_commit ?? 'unknown')}</code>`],
      ['host', `${esc(m.host.platform)} · ${esc(m.host.cpu)} · ${esc(m.host.cores)} cores · ${esc(m.host.memory_gb)} GB · Node ${esc(m.host.node)}`],
      ['started', esc(m.started_at)],
      ['ended', `${esc(m.ended_at)}${Number.isFinite(dur) ? ` <span class="muted">(${esc(dur.toFixed(1))} s)</span>` : ''}`],
      ['complete', s.complete ? 'yes' : '<span class="badge warn">no: stopped early</span>'],
    ];
    return `<div class="meta-card"><h3>${esc(names[i]!)}</h3><dl>${kv.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl></div>`;
  });
  return `<section id="runs"><h2>Runs</h2><div class="meta-grid">${cards.join('\n')}</div></section>`;
}

// ---------------------------------------------------------------------------------------------

export function renderReport(runs: readonly LoadedRun[], opts: ReportOptions = {}): string {
  const alpha = opts.alpha ?? 0.05;
  const chunkRows = Math.max(1, Math.floor(opts.chunkRows ?? 5000));
  const pageSize = Math.max(1, Math.floor(opts.pageSize ?? 50));
  const title = opts.title ?? 'emobench report';
  const generatedAt = opts.generatedAt ?? new Date().toISOString();
  const entries = entriesOf(runs);
  const charts: ChartSpec[] = [];
  const suites = suitesOf(entries);
  const extras = opts.extras ?? { throughput: [], profiles: [], attention: [] };

  const hasExtras = extras.throughput.length + extras.profiles.length + extras.attention.length > 0;
  const scored = entries.length > 0;
  const sections = [
    scored ? leaderboardSection(entries, alpha) : '',
    scored ? classesSection(entries, charts) : '',
    scored ? languagesSection(entries, charts) : '',
    scored ? speedSection(entries, charts) : '',
    throughputSection(extras, charts),
    memorySection(extras, charts),
    attentionSection(extras),
    scored || hasExtras ? claimsSection(entries, opts.claims, measurements(extras)) : '',
    scored ? explorerSection(entries) : '',
    runs.length > 0 ? metadataSection(runs) : '',
  ].filter((x) => x !== '');
  if (!scored && !hasExtras) sections.unshift('<section><p class="muted">The runs contain no models.</p></section>');
  const ex = explorerData(entries, chunkRows);
  const data = {
    charts,
    entries: entries.map((e) => ({ label: e.label, spec: e.spec, suite: e.suite, run: e.run })),
    suites: suites.length,
    explorer: { total: ex.total, chunkRows, rowChunks: ex.rowChunks, inputChunks: ex.inputChunks, pageSize, unparseable: UNPARSEABLE },
  };
  const incomplete = runs.filter((r) => !r.summary.complete).length;
  const nav = [
    ...(scored ? [['leaderboard', 'Leaderboard'], ['classes', 'Classes'], ['languages', 'Languages'], ['speed', 'Speed']] : []),
    ...(extras.throughput.length ? [['throughput', 'Throughput']] : []),
    ...(extras.profiles.length ? [['memory', 'Memory']] : []),
    ...(extras.attention.length ? [['attention', 'Attention']] : []),
    ...(scored || hasExtras ? [['claims', 'Claims']] : []),
    ...(scored ? [['samples', 'Samples']] : []),
    ...(runs.length > 0 ? [['runs', 'Runs']] : []),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="emobench">
<title>${esc(title)}</title>
<style>${CLIENT_CSS}</style>
</head>
<body>
<header class="top">
<div class="wrap">
<h1>${esc(title)}</h1>
<p class="subtitle">${esc(suites.join(', ') || 'no suites')} · ${entries.length} model result${entries.length === 1 ? '' : 's'} from ${runs.length} run${runs.length === 1 ? '' : 's'} · ${ex.total.toLocaleString('en-US')} samples · generated ${esc(generatedAt)}</p>
${incomplete > 0 ? `<p class="banner">${incomplete} run${incomplete === 1 ? ' is' : 's are'} incomplete: figures cover the finished samples only.</p>` : ''}
</div>
</header>
<nav class="toc" aria-label="sections"><div class="wrap">${nav.map(([id, t]) => `<a href="#${id}">${t}</a>`).join('')}</div></nav>
<main class="wrap">
${sections.join('\n')}
</main>
<footer class="wrap muted small">emobench · every figure with its 95% interval · this file works offline</footer>
<script type="application/json" id="eb-data">${jsonForScript(data)}</script>
${ex.blocks.join('\n')}
<script>${inlineScript(chartJs())}</script>
<script>${inlineScript(CLIENT_JS)}</script>
</body>
</html>
`;
}
