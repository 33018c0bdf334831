import { REPORT_CSS } from '../report/style.js';
import { esc, htmlPage } from '../util/html.js';
import type { Board, BoardKey, RunComparison } from './boards.js';
import type { Catalog, RunEntry } from './catalog.js';

/**
 * The pages of `emobench view` and `emobench publish`: the same HTML for both, only the links differ
 * (server routes, or relative file names in the static site). Every piece of run data goes through
 * `esc()`; the one inline script sorts and filters the run list with textContent only.
 */

export interface Links {
  index: string;
  run(id: string): string;
  board(key: Pick<BoardKey, 'suite' | 'dataset'>): string;
  /** A comparison page, or null where the site has none for this pair (publish writes chosen pairs only). */
  compare(a: string, b: string): string | null;
  /** Server only: the form that picks any two runs. */
  comparePicker: boolean;
}

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(1)}`);
const interval = (e: { value: number | null; lo: number | null; hi: number | null; n: number }) =>
  e.value === null ? '—' : e.n <= 1 || e.lo === e.hi ? `${pct(e.value)}` : `${pct(e.value)} <span class="muted small">[${pct(e.lo)}–${pct(e.hi)}]</span>`;
const when = (iso: string | null) => (iso ? esc(iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC')) : '—');
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}`;

const PAGE_CSS = `
.kind { font-size: 12px; padding: 1px 6px; border-radius: 9px; background: #eef2f7; }
.bad { color: #b42318; }
.good { color: #067647; }
.filter { margin: 8px 0; padding: 6px 8px; width: min(420px, 100%); font: inherit; }
th.sortable { cursor: pointer; user-select: none; }
th.sortable::after { content: ' ↕'; color: #9aa4b2; font-size: 11px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.compare-form { margin: 12px 0; display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
.compare-form select { font: inherit; max-width: 420px; }
`;

const CLIENT = `
(function () {
  var table = document.getElementById('runs');
  if (!table) return;
  var body = table.tBodies[0];
  var filter = document.getElementById('filter');
  filter.addEventListener('input', function () {
    var q = filter.value.toLowerCase();
    var shown = 0;
    for (var i = 0; i < body.rows.length; i++) {
      var r = body.rows[i];
      var hit = r.textContent.toLowerCase().indexOf(q) !== -1;
      r.hidden = !hit;
      if (hit) shown++;
    }
    document.getElementById('shown').textContent = String(shown);
  });
  var heads = table.tHead.rows[0].cells;
  for (var c = 0; c < heads.length; c++) {
    (function (col) {
      var asc = false;
      heads[col].addEventListener('click', function () {
        asc = !asc;
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (x, y) {
          var a = x.cells[col].getAttribute('data-sort') || x.cells[col].textContent;
          var b = y.cells[col].getAttribute('data-sort') || y.cells[col].textContent;
          var na = Number(a), nb = Number(b);
          var d = a !== '' && b !== '' && !isNaN(na) && !isNaN(nb) ? na - nb : a.localeCompare(b);
          return asc ? d : -d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    })(c);
  }
  var form = document.getElementById('compare-form');
  if (form) form.addEventListener('submit', function (e) {
    e.preventDefault();
    var a = document.getElementById('cmp-a').value, b = document.getElementById('cmp-b').value;
    if (a && b) location.href = form.getAttribute('data-base') + '?a=' + encodeURIComponent(a) + '&b=' + encodeURIComponent(b);
  });
})();
`;

export function shell(title: string, body: string, links: Links, script = ''): string {
  return htmlPage({
    title,
    css: `${REPORT_CSS}${PAGE_CSS}`,
    body: `<header class="top"><div class="wrap"><h1>${esc(title)}</h1><p class="subtitle"><a href="${esc(links.index)}">all runs</a></p></div></header>
<main class="wrap">
${body}
</main>
<footer class="wrap muted small">emobench · every figure with its 95% interval · works offline</footer>`,
    scripts: script ? [script] : [],
    charts: false,
  });
}

function runLabel(r: RunEntry): string {
  return `${r.id} · ${r.suite} · ${r.models.join(', ')}`;
}

export function indexPage(cat: Catalog, boards: readonly BoardKey[], links: Links, pairs: readonly [string, string][] = []): string {
  const rows = cat.runs.map((r) => {
    const dataset = r.dataset ? `${esc(r.dataset.name)} <span class="muted small">${esc(r.dataset.sha256.slice(0, 12))}</span>` : '<span class="muted">—</span>';
    return `<tr data-id="${esc(r.id)}"><td><a href="${esc(links.run(r.id))}">${esc(r.id)}</a></td><td><span class="kind">${esc(r.kind)}</span></td><td>${esc(r.suite)}</td><td>${dataset}</td><td>${esc(r.models.join(', '))}</td><td class="num">${r.n ?? '—'}</td><td class="num">${r.seed ?? '—'}</td><td data-sort="${esc(r.date ?? '')}">${when(r.date)}</td><td>${r.complete ? 'complete' : '<span class="bad">incomplete</span>'}</td><td>${r.git_commit ? esc(r.git_commit.slice(0, 10)) : '—'}</td></tr>`;
  });
  const boardList = boards.length
    ? `<ul>${boards.map((k) => `<li><a href="${esc(links.board(k))}">${esc(k.suite)} · ${esc(k.dataset.name)}</a> <span class="muted small">${esc(k.dataset.sha256.slice(0, 12))} · ${k.runs.length} run${k.runs.length === 1 ? '' : 's'}</span></li>`).join('')}</ul>`
    : '<p class="muted">No scored runs yet.</p>';
  const evalRuns = cat.runs.filter((r) => r.kind === 'eval');
  const picker = links.comparePicker && evalRuns.length >= 2
    ? `<form id="compare-form" class="compare-form" data-base="${esc(links.compare('', '')?.split('?')[0] ?? '')}"><label>A <select id="cmp-a">${evalRuns.map((r, i) => `<option value="${esc(r.id)}"${i === 1 ? ' selected' : ''}>${esc(runLabel(r))}</option>`).join('')}</select></label><label>B <select id="cmp-b">${evalRuns.map((r, i) => `<option value="${esc(r.id)}"${i === 0 ? ' selected' : ''}>${esc(runLabel(r))}</option>`).join('')}</select></label><button type="submit">Compare</button></form>`
    : '';
  const pairList = pairs.length
    ? `<ul>${pairs.map(([a, b]) => `<li><a href="${esc(links.compare(a, b) ?? '#')}">${esc(b)} vs ${esc(a)}</a></li>`).join('')}</ul>`
    : '';
  const unreadable = cat.unreadable.length
    ? `<section id="unreadable"><h2>Folders that hold no readable run</h2><ul>${cat.unreadable.map((u) => `<li><code>${esc(u.id)}</code> — ${esc(u.reason)}</li>`).join('')}</ul></section>`
    : '';
  const body = `
<section id="boards"><h2>Leaderboards</h2><p class="muted small">One per suite and dataset file (by hash); each model's newest complete run.</p>${boardList}</section>
<section id="compare"><h2>Compare two runs</h2>${picker}${pairList}${!picker && !pairList ? '<p class="muted">No comparisons.</p>' : ''}</section>
<section id="run-list"><h2>Runs (<span id="shown">${cat.runs.length}</span> of ${cat.runs.length})</h2>
<input id="filter" class="filter" type="search" placeholder="filter: suite, model, dataset, date…" aria-label="filter runs">
<div class="table-wrap"><table id="runs"><thead><tr>${['run', 'kind', 'suite', 'dataset', 'models', 'n', 'seed', 'date', 'status', 'commit'].map((h) => `<th class="sortable">${h}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></section>
${unreadable}`;
  return shell('emobench runs', body, links, CLIENT);
}

export function boardPage(board: Board, links: Links, alpha: number): string {
  const rows = board.rows.map((r) => {
    const mark = r.leader ? ' <span class="kind">leader</span>' : r.tied ? ' <span class="kind">tied</span>' : '';
    return `<tr class="${r.tied ? 'tied-row' : ''}"><th>${esc(r.model)}${mark}<span class="run"><a href="${esc(links.run(r.run))}">${esc(r.run)}</a>${r.complete ? '' : ' · <span class="bad">incomplete</span>'}</span></th><td>${interval(r.accuracy)}</td><td>${interval(r.macro_f1)}</td><td class="num">${r.n}</td><td class="num">${r.errors}</td><td class="num">${r.p_holm === null ? '—' : r.p_holm < 0.001 ? '&lt;0.001' : r.p_holm.toFixed(3)}</td><td>${when(r.date)}</td></tr>`;
  });
  const body = `
<section id="leaderboard"><h2>${esc(board.suite)} · ${esc(board.dataset.name)}</h2>
<p class="muted small">dataset sha256 ${esc(board.dataset.sha256)} · each model's newest complete run · tied = not significantly different from the leader (exact McNemar on shared samples, Holm-corrected, α = ${alpha})</p>
<div class="table-wrap"><table class="board"><thead><tr><th>model</th><th>accuracy %</th><th>macro-F1 %</th><th>n</th><th>errors</th><th>p vs leader (Holm)</th><th class="left">date</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></section>`;
  return shell(`${board.suite} leaderboard`, body, links);
}

export function comparePage(c: RunComparison, ids: { a: string; b: string }, links: Links, alpha: number, maxChanged = 500): string {
  const deltaRows = c.deltas.map((d) => {
    const sig = d.p < alpha;
    const verdict = sig ? (d.delta < 0 ? '<span class="bad">▼ worse</span>' : '<span class="good">▲ better</span>') : 'no';
    return `<tr><th>${esc(d.model)}</th><td>${d.metric === 'accuracy' ? 'accuracy' : 'macro-F1'}</td><td class="num">${pct(d.a)}</td><td class="num">${pct(d.b)}</td><td class="num">${signed(d.delta)}</td><td class="num">${d.p < 0.001 ? '&lt;0.001' : d.p.toFixed(3)}</td><td>${verdict}</td><td class="num">${d.shared}</td></tr>`;
  });
  const classRows = c.perClass.map((p) => `<tr><th>${esc(p.model)}</th><td>${esc(p.label)}</td><td class="num">${pct(p.a)}</td><td class="num">${pct(p.b)}</td><td class="num">${signed(p.delta)}</td></tr>`);
  const verdict = (v: RunComparison['changed'][number]['a']) => (v.error !== null ? `<span class="bad">error</span>` : `${esc(v.pred ?? '(unparseable)')} ${v.correct ? '<span class="good">✓</span>' : '<span class="bad">✗</span>'}`);
  const changed = c.changed.slice(0, maxChanged).map((s) => `<tr data-sample="${esc(s.id)}"><th>${esc(s.model)}</th><td><code>${esc(s.id)}</code></td><td>${esc(s.lang)}</td><td>${esc(s.expected)}</td><td>${verdict(s.a)}</td><td>${verdict(s.b)}</td><td>${esc(s.input.length > 300 ? `${s.input.slice(0, 300)}…` : s.input)}</td></tr>`);
  const fixed = c.changed.filter((s) => s.b.correct).length;
  const only = [c.onlyA.length ? `only in A: ${c.onlyA.map(esc).join(', ')}` : '', c.onlyB.length ? `only in B: ${c.onlyB.map(esc).join(', ')}` : ''].filter(Boolean).join(' · ');
  const body = `
<section id="deltas"><h2>B − A per model</h2>
<p class="muted small">A = <a href="${esc(links.run(ids.a))}">${esc(ids.a)}</a> · B = <a href="${esc(links.run(ids.b))}">${esc(ids.b)}</a> · paired tests on the samples both runs scored: exact McNemar for accuracy, permutation test for macro-F1; α = ${alpha}${only ? ` · ${only}` : ''}</p>
${deltaRows.length ? `<div class="table-wrap"><table class="board"><thead><tr><th>model</th><th class="left">metric</th><th>A %</th><th>B %</th><th>Δ</th><th>p</th><th class="left">significant</th><th>shared</th></tr></thead><tbody>${deltaRows.join('\n')}</tbody></table></div>` : '<p class="bad">The runs share no model with scored samples in common: nothing to compare.</p>'}</section>
<section id="classes"><h2>Per-class F1</h2>${classRows.length ? `<div class="table-wrap"><table class="board"><thead><tr><th>model</th><th class="left">class</th><th>A %</th><th>B %</th><th>Δ</th></tr></thead><tbody>${classRows.join('\n')}</tbody></table></div>` : '<p class="muted">—</p>'}</section>
<section id="changed"><h2>Samples whose verdict changed (${c.changed.length}: ${fixed} now right, ${c.changed.length - fixed} now wrong)</h2>
${c.changed.length > maxChanged ? `<p class="muted small">first ${maxChanged} shown</p>` : ''}
${changed.length ? `<div class="table-wrap"><table><thead><tr><th>model</th><th>id</th><th>lang</th><th>gold</th><th>A</th><th>B</th><th>text</th></tr></thead><tbody>${changed.join('\n')}</tbody></table></div>` : '<p class="muted">None.</p>'}</section>`;
  return shell(`${c.b.summary.suite}: ${ids.b} vs ${ids.a}`, body, links);
}

export function messagePage(title: string, message: string, links: Links): string {
  return shell(title, `<section><p>${esc(message)}</p></section>`, links);
}

/** A report page from `renderReport`, with a way back to the run list. */
export function withBackLink(html: string, links: Links): string {
  return html.replace(/<body>/, `<body>\n<p class="wrap small" style="margin:8px auto"><a href="${esc(links.index)}">← all runs</a></p>`);
}
