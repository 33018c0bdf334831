import { holm, isRight, mcnemar, pairById, pairedCounts, type Answered } from '../../compare/paired.js';
import { metricDef, OPTIONAL_EVAL_METRICS, type Direction } from '../../scoring/metrics.js';
import { esc } from '../../util/html.js';
import { dv, estCell, interval, ms, num, pEq, pFmt } from '../cells.js';
import { suitesOf, type Entry } from '../entries.js';
import type { Section } from '../page.js';

export interface TieInput {
  accuracy: number;
  macroF1: number;
  samples: readonly Answered[];
  /** Same identity and the same answers = the same model reported twice (e.g. spec + config hash). */
  identity?: string;
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

/** Identity plus every answer's right/wrong: equal keys are one model, whatever run it came from. */
function distinctKey(m: TieInput): string {
  const answers = [...m.samples].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((s) => `${s.id}:${isRight(s) ? 1 : 0}`);
  return `${m.identity ?? ''}\u0000${answers.join(',')}`;
}

/**
 * Within one suite: the leader is the best accuracy (then macro-F1); every other model is compared
 * with it by an exact McNemar test on the sample ids both scored, the p-values are Holm-corrected
 * over those comparisons, and a model is tied when the corrected p ≥ alpha. Each distinct model is
 * one comparison: a model reported twice (identical runs side by side) shares one test and one Holm
 * rank, so adding a copy changes no verdict; a copy of the leader is tied with it. A model sharing
 * no sample id with the leader cannot be tested and is not marked tied.
 */
export function tiesWithLeader(models: readonly TieInput[], alpha = 0.05): TieResult[] {
  if (models.length === 0) return [];
  const val = (x: number) => (Number.isNaN(x) ? -Infinity : x);
  let lead = 0;
  models.forEach((m, i) => {
    const l = models[lead]!;
    if (val(m.accuracy) > val(l.accuracy) || (val(m.accuracy) === val(l.accuracy) && val(m.macroF1) > val(l.macroF1))) lead = i;
  });
  const keys = models.map(distinctKey);
  const results: TieResult[] = models.map((m, i) => {
    if (i === lead) return { leader: true, tied: true, shared: m.samples.length, onlyLeader: 0, onlyThis: 0, p: null, pHolm: null };
    const c = pairedCounts(pairById(models[lead]!.samples, m.samples));
    return { leader: false, tied: false, shared: c.shared, onlyLeader: c.onlyA, onlyThis: c.onlyB, p: c.shared > 0 ? mcnemar(c.onlyA, c.onlyB) : null, pHolm: null };
  });
  // One test per distinct model: the first of each key stands for its copies.
  const firstOf = new Map<string, number>();
  keys.forEach((k, i) => {
    if (!firstOf.has(k)) firstOf.set(k, i);
  });
  const tested = results.map((r, i) => ({ r, i })).filter(({ r, i }) => r.p !== null && keys[i] !== keys[lead] && firstOf.get(keys[i]!) === i);
  holm(tested.map(({ r }) => r.p!)).forEach((adj, k) => {
    tested[k]!.r.pHolm = adj;
    tested[k]!.r.tied = adj >= alpha;
  });
  results.forEach((r, i) => {
    if (r.leader || r.p === null) return;
    if (keys[i] === keys[lead]) {
      r.pHolm = 1;
      r.tied = true;
      return;
    }
    const first = results[firstOf.get(keys[i]!)!]!;
    r.pHolm = first.pHolm;
    r.tied = first.tied;
  });
  return results;
}

/**
 * The accuracy a model must beat to count as doing the task: always answering the most frequent gold
 * label of the samples it was scored on (what the majority baseline does). Models at or below it are
 * not candidates for the best latency, cost or speed, nor on the quality–speed Pareto front: being
 * fast at guessing is not a win.
 */
export function qualityFloor(e: Entry): number {
  const totals = e.result.metrics.confusion.matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const n = totals.reduce((a, b) => a + b, 0);
  return n === 0 ? 0 : Math.max(...totals) / n;
}

export const belowFloor = (e: Entry) => !(e.result.metrics.accuracy.value > qualityFloor(e) + 1e-12);

/** Latency of a batched classify() is the batch's time over its size; only chat models time each request. */
export const batchAveraged = (e: Entry) => e.result.usage === undefined;

interface Column {
  header: string;
  title?: string;
  /** Value used for "best" and sorting; NaN = missing. */
  value: (e: Entry) => number;
  better?: Direction;
  /** A speed or cost column: models below the quality floor are not its best. */
  cost?: boolean;
  cell: (e: Entry, best: boolean) => string;
}

const mark = (best: boolean) => (best ? ' best' : '');

function columns(rows: readonly Entry[]): Column[] {
  const acc = metricDef('accuracy')!;
  const f1 = metricDef('macro_f1')!;
  const cols: Column[] = [
    { header: `${acc.label} [95% CI]`, title: 'Wilson 95% interval', value: (e) => e.result.metrics.accuracy.value, better: acc.direction, cell: (e, b) => estCell(e.result.metrics.accuracy, mark(b)) },
    { header: `${f1.label} [95% CI]`, title: 'bootstrap 95% interval', value: (e) => e.result.metrics.macro_f1.value, better: f1.direction, cell: (e, b) => estCell(e.result.metrics.macro_f1, mark(b)) },
    { header: 'errors', value: (e) => e.result.errors, better: 'lower', cell: (e, b) => `<td class="num${mark(b)}" data-v="${e.result.errors}">${e.result.errors}</td>` },
    {
      header: 'unparseable',
      title: 'answers with no extractable label (failed samples not included)',
      value: (e) => e.result.metrics.unparseable - e.result.errors,
      better: 'lower',
      cell: (e, b) => `<td class="num${mark(b)}" data-v="${e.result.metrics.unparseable - e.result.errors}">${e.result.metrics.unparseable - e.result.errors}</td>`,
    },
    {
      header: 'mean latency ms',
      title: 'per request for chat models; for batched classifiers the batch time divided by its size (marked "batch avg")',
      value: (e) => e.result.latency_ms.mean,
      better: 'lower',
      cost: true,
      cell: (e, b) => {
        const avg = batchAveraged(e) ? ' <span class="ci" title="batch time ÷ batch size: not the time of one request">batch avg</span>' : '';
        return `<td class="num${mark(b)}" data-v="${dv(e.result.latency_ms.mean)}" title="p50 ${esc(ms(e.result.latency_ms.p50))} ms · p90 ${esc(ms(e.result.latency_ms.p90))} ms">${ms(e.result.latency_ms.mean)}${avg}</td>`;
      },
    },
  ];
  for (const m of OPTIONAL_EVAL_METRICS) {
    if (!rows.some((e) => m.read(e.result, undefined))) continue;
    cols.push({
      header: m.label,
      value: (e) => m.read(e.result, undefined)?.value ?? NaN,
      better: m.direction,
      cost: true,
      cell: (e, b) => {
        const v = m.read(e.result, undefined);
        if (!v) return `<td class="num" data-v="">—</td>`;
        return `<td class="num${mark(b)}" data-v="${dv(v.value)}">${num(v.value, m.digits)}${interval(v.lo, v.hi, (x) => num(x, m.digits))}</td>`;
      },
    });
  }
  return cols;
}

function suiteBoard(suite: string, rows: readonly Entry[], alpha: number): string {
  const ties = tiesWithLeader(
    rows.map((e) => ({ accuracy: e.result.metrics.accuracy.value, macroF1: e.result.metrics.macro_f1.value, samples: e.samples, identity: `${e.spec}\u0000${e.result.meta.config_hash}` })),
    alpha,
  );
  const tieOf = new Map(rows.map((e, i) => [e, ties[i]!]));
  const cols = columns(rows);
  const bests = cols.map((c) => {
    const vals = rows.filter((e) => !c.cost || !belowFloor(e)).map(c.value).filter(Number.isFinite);
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
    `<th data-type="num" scope="col" class="left" title="leader = best accuracy; tied = not significantly different from it (exact McNemar on shared samples, Holm-corrected over distinct models, α = ${alpha})">vs leader</th>`,
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
    const floorNote = belowFloor(e) ? ` <span class="badge none" title="accuracy at or below always answering the most frequent label (${(qualityFloor(e) * 100).toFixed(1)}%): not a candidate for best speed or cost">at floor</span>` : '';
    const cells = cols.map((c, k) => {
      const v = c.value(e);
      return c.cell(e, Number.isFinite(bests[k]!) && Number.isFinite(v) && Math.abs(v - bests[k]!) < 1e-12 && !(c.cost && belowFloor(e)));
    });
    return `<tr${cls ? ` class="${cls}"` : ''}><th scope="row" data-v="${esc(e.label)}"><span class="model">${esc(e.spec)}</span>${e.label === e.spec ? '' : `<span class="run">${esc(e.run)}</span>`}${e.complete ? '' : ' <span class="badge warn" title="the run stopped early; figures cover finished samples only">incomplete</span>'}${floorNote}</th>${tie}<td class="num" data-v="${e.result.n}">${e.result.n.toLocaleString('en-US')}</td>${cells.join('')}</tr>`;
  });
  const n = rows.map((e) => e.result.n);
  return `<h3>${esc(suite)} <span class="sub">${rows.length} model${rows.length === 1 ? '' : 's'} · ${Math.max(0, ...n).toLocaleString('en-US')} samples</span></h3>
<div class="table-wrap"><table class="board sortable" data-suite="${esc(suite)}">
<thead><tr>${head.join('')}</tr></thead>
<tbody>${body.join('\n')}</tbody></table></div>`;
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

export function leaderboardSection(entries: readonly Entry[], alpha: number): Section {
  const suites = suitesOf(entries);
  const parts: string[] = [];
  if (suites.length > 1) parts.push(overviewMatrix(entries, suites));
  for (const suite of suites) parts.push(suiteBoard(suite, entries.filter((e) => e.suite === suite), alpha));
  return {
    id: 'leaderboard',
    nav: 'Leaderboard',
    html: `<section id="leaderboard"><h2>Leaderboard</h2>
<p class="lede">Click a column header to sort. <b class="best-key">Bold</b> marks the best value in a column; speed and cost columns consider only models above the quality floor (always answering the most frequent label). <span class="badge tied">tied</span> models are not significantly different in accuracy from the <span class="badge lead">leader</span> (exact McNemar test on the sample ids both scored, Holm-corrected across the distinct models in the suite, α = ${alpha}); they are listed first as one group.</p>
${parts.join('\n')}</section>`,
  };
}
