/**
 * The stylesheet and in-page script of the HTML report (src/report/html.ts), kept as plain strings
 * so the report stays one file. The script is ES5-style on purpose (no build step for it) and puts
 * data into the page with textContent only, never innerHTML.
 */

export const FONT_STACK =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Hiragino Sans", "Noto Sans JP", "Noto Sans CJK JP", "Yu Gothic", Meiryo, sans-serif';

export const CLIENT_CSS = String.raw`
:root {
  --bg: #f6f7f9; --surface: #fff; --text: #1f2328; --muted: #59636e; --line: #d9dee3; --soft: #eef1f4;
  --accent: #2f6feb; --accent-soft: #e8effd; --good: #1a7f37; --good-soft: #dafbe1; --bad: #cf222e; --bad-soft: #ffebe9;
  --warn: #9a6700; --warn-soft: #fff8c5;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; scroll-padding-top: 56px; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.5 ${FONT_STACK}; }
.wrap { max-width: 1200px; margin: 0 auto; padding: 0 20px; }
header.top { background: var(--surface); display: flow-root; }
header.top h1 { font-size: 24px; margin: 0; padding-top: 22px; letter-spacing: -0.01em; }
.subtitle { color: var(--muted); margin: 4px 0 12px; }
.banner { background: var(--warn-soft); color: var(--warn); border: 1px solid #eed888; border-radius: 6px; padding: 6px 10px; margin: 0 0 12px; }
nav.toc { position: sticky; top: 0; z-index: 10; background: rgba(255,255,255,0.96); border-bottom: 1px solid var(--line); }
nav.toc .wrap { display: flex; gap: 2px; overflow-x: auto; scrollbar-width: none; }
nav a { color: var(--muted); text-decoration: none; padding: 8px 10px; border-bottom: 2px solid transparent; white-space: nowrap; font-size: 14px; }
nav a:hover, nav a:focus-visible { color: var(--accent); border-bottom-color: var(--accent); }
main { padding-top: 8px; padding-bottom: 24px; }
section { background: var(--surface); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px 20px; margin: 16px 0; min-width: 0; }
h2 { font-size: 19px; margin: 0 0 6px; }
h3 { font-size: 16px; margin: 22px 0 8px; }
h4 { font-size: 14px; margin: 18px 0 2px; }
h3 .sub, figcaption .sub { color: var(--muted); font-weight: 400; font-size: 13px; margin-left: 4px; }
.lede { color: var(--muted); margin: 0 0 8px; max-width: 80ch; }
.muted { color: var(--muted); }
.small { font-size: 12.5px; }
code, .hash { font-family: var(--mono); font-size: 12.5px; }
.hash { color: var(--muted); word-break: break-all; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: 6px 0; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 7px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--soft); }
thead th { background: #f9fafb; font-weight: 600; font-size: 13px; color: var(--muted); border-bottom: 1px solid var(--line); white-space: nowrap; }
tbody tr:last-child > * { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.board thead th:not(:first-child) { text-align: right; }
table.board tbody th { font-weight: 600; white-space: nowrap; }
table.board thead th.left { text-align: left; }
/* The model column stays in view while a wide table scrolls sideways. */
table.board tbody th, table.board thead th:first-child { position: sticky; left: 0; z-index: 1; background: var(--surface); }
table.board thead th:first-child { background: #f9fafb; }
table.board tr.tied-row > th { background: #f7faff; }
table.narrow { width: auto; min-width: 50%; }
.table-wrap:has(> table.narrow) { width: fit-content; max-width: 100%; }
table.board .run { display: block; font-weight: 400; color: var(--muted); font-size: 12px; }
table.board td:nth-child(2) { white-space: nowrap; }
th.sort { cursor: pointer; user-select: none; }
th.sort:hover { color: var(--text); }
th.sort::after { content: "↕"; opacity: 0.3; margin-left: 4px; font-size: 11px; }
th[aria-sort="ascending"]::after { content: "▲"; opacity: 0.8; }
th[aria-sort="descending"]::after { content: "▼"; opacity: 0.8; }
.ci { color: var(--muted); font-size: 12.5px; }
td.best { font-weight: 700; }
td.best::before { content: ""; display: inline-block; width: 6px; height: 6px; border-radius: 50%; background: var(--accent); margin-right: 6px; vertical-align: middle; }
.best-key { border-bottom: 2px solid var(--accent); }
tr.tied-row > * { background: #f7faff; }
tr.group-end > * { border-bottom: 2px solid #c9d6ee; }
td.neg { color: var(--bad); }
.badge { display: inline-block; font-size: 11.5px; font-weight: 600; line-height: 1.6; padding: 0 7px; border-radius: 999px; white-space: nowrap; background: var(--soft); color: var(--muted); }
.badge.lead { background: var(--accent); color: #fff; }
.badge.tied { background: var(--accent-soft); color: var(--accent); }
.badge.worse { background: var(--soft); color: var(--muted); }
.badge.ok { background: var(--good-soft); color: var(--good); }
.badge.bad { background: var(--bad-soft); color: var(--bad); }
.badge.none { background: var(--soft); color: var(--muted); }
.badge.warn { background: var(--warn-soft); color: var(--warn); }
figure { margin: 0; }
figure.chart { margin: 8px 0 4px; }
.chart-box { position: relative; height: 300px; }
.chart-box.tall { height: 360px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.cm-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 460px), 1fr)); gap: 16px; margin-top: 14px; }
.cm-card figcaption { color: var(--text); margin: 0 0 4px; }
.model { font-weight: 600; overflow-wrap: anywhere; }
table.cm-table { font-size: 13px; width: 100%; }
table.cm-table th, table.cm-table td { padding: 5px 4px; text-align: center; border: 1px solid var(--soft); min-width: 46px; }
table.cm-table thead th { white-space: nowrap; font-size: 11.5px; vertical-align: bottom; }
table.cm-table thead th.corner { text-align: left; font-weight: 400; min-width: 0; }
table.cm-table thead th.unp { white-space: normal; font-style: italic; hyphens: manual; min-width: 64px; }
table.cm-table tbody th { text-align: left; font-size: 12.5px; white-space: nowrap; padding-right: 8px; }
td.cm { cursor: pointer; font-variant-numeric: tabular-nums; line-height: 1.2; }
td.cm b { display: block; font-size: 13.5px; }
td.cm small { display: block; font-size: 10.5px; opacity: 0.8; }
td.cm.zero { color: #b4bcc4; }
td.cm:hover, td.cm:focus-visible { outline: 2px solid var(--text); outline-offset: -2px; }
table.claims td { font-size: 13.5px; }
.claim { font-weight: 500; }
.filters { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)) minmax(0, 2fr) auto; gap: 10px; align-items: end; margin: 10px 0; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 3px; min-width: 0; }
@media (max-width: 980px) { .filters { grid-template-columns: repeat(3, minmax(0, 1fr)); } .filters .search { grid-column: span 2; } }
select, input[type="search"], button { font: inherit; font-size: 14px; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--surface); color: var(--text); min-width: 0; width: 100%; }
button { cursor: pointer; width: auto; }
button:hover:not(:disabled) { border-color: var(--accent); color: var(--accent); }
button:disabled { opacity: 0.45; cursor: default; }
select:focus, input:focus, button:focus-visible { outline: 2px solid var(--accent-soft); border-color: var(--accent); }
.ex-status { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 8px; margin: 6px 0 10px; color: var(--muted); font-size: 13.5px; }
.pager { display: inline-flex; align-items: center; gap: 8px; }
.samples { display: grid; gap: 10px; }
.sample { border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 8px; padding: 10px 12px; min-width: 0; }
.sample.s1 { border-left-color: var(--good); }
.sample.s0 { border-left-color: var(--bad); }
.sample.s2, .sample.s3 { border-left-color: var(--warn); }
.sample-head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; font-size: 13px; color: var(--muted); }
.sample-head .model { color: var(--text); }
.sample-input { margin: 6px 0; white-space: pre-wrap; overflow-wrap: anywhere; display: -webkit-box; -webkit-line-clamp: 4; -webkit-box-orient: vertical; overflow: hidden; cursor: pointer; }
.sample-input.open { display: block; }
.sample-labels { font-size: 13.5px; }
.sample-labels b { font-weight: 600; }
.sample-labels .wrong { color: var(--bad); }
.raw { margin: 6px 0 0; padding: 6px 8px; background: #f6f8fa; border-radius: 6px; font: 12.5px/1.45 var(--mono); white-space: pre-wrap; overflow-wrap: anywhere; max-height: 12em; overflow: auto; }
.raw::before { content: "raw output  "; color: var(--muted); font-family: ${FONT_STACK}; font-size: 11px; }
.err { color: var(--bad); font-size: 13px; margin-top: 4px; overflow-wrap: anywhere; }
.meta-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 520px), 1fr)); gap: 14px; }
.meta-card { border: 1px solid var(--line); border-radius: 8px; padding: 4px 14px 10px; min-width: 0; }
.meta-card h3 { margin: 10px 0 6px; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; font-size: 13.5px; }
dt { color: var(--muted); }
dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
footer { padding: 8px 20px 32px; }
@media (max-width: 640px) {
  body { font-size: 14px; }
  .wrap { padding: 0 12px; }
  header.top h1 { font-size: 20px; padding-top: 14px; }
  section { padding: 14px 12px 16px; border-radius: 8px; margin: 12px 0; }
  th, td { padding: 6px 8px; }
  table.board tbody th { white-space: normal; min-width: 90px; max-width: 150px; overflow-wrap: anywhere; }
  .chart-box { height: 260px; }
  .chart-box.tall { height: 300px; }
  .filters { grid-template-columns: 1fr 1fr; }
  .filters .search { grid-column: span 1; }
  dl { grid-template-columns: 1fr; gap: 0; }
  dd { margin-bottom: 6px; }
}
@media print { nav.toc, .filters, .ex-status { display: none; } section { break-inside: avoid; } }
`;

export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('eb-data').textContent);
  var PALETTE = ['#2f6feb', '#e08a3c', '#3a9a72', '#9063cd', '#c9556e', '#4d8fb0', '#a88a2d', '#6e7781', '#2aa0a4', '#b5651d'];
  var FONT = ${JSON.stringify(FONT_STACK)};

  function color(i, alpha) {
    var hex = PALETTE[i % PALETTE.length];
    if (alpha === undefined) return hex;
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + alpha + ')';
  }
  function fmt(n) { return Number(n).toLocaleString('en-US'); }
  function el(id) { return document.getElementById(id); }
  function mk(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  // Each part runs on its own: a failure is reported on the console but leaves the others working.
  function safe(name, fn) {
    try { fn(); } catch (err) { console.error('emobench report: ' + name + ' failed:', err); }
  }

  // ---- sortable tables: click (or Enter on) a header; numbers from data-v, missing values last.
  function initSorting() {
    var tables = document.querySelectorAll('table.sortable');
    Array.prototype.forEach.call(tables, function (table) {
      var ths = table.tHead.rows[0].cells;
      Array.prototype.forEach.call(ths, function (th, col) {
        th.classList.add('sort');
        th.tabIndex = 0;
        var go = function () { sortTable(table, th, col); };
        th.addEventListener('click', go);
        th.addEventListener('keydown', function (ev) {
          if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); go(); }
        });
      });
    });
  }
  function sortTable(table, th, col) {
    var text = th.getAttribute('data-type') === 'text';
    var was = th.getAttribute('aria-sort');
    var asc = was ? was === 'descending' : text;
    Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var key = function (row) {
      var cell = row.cells[col];
      if (!cell) return null;
      var v = cell.hasAttribute('data-v') ? cell.getAttribute('data-v') : cell.textContent;
      if (text) return v;
      return v === '' || isNaN(Number(v)) ? null : Number(v);
    };
    rows.sort(function (a, b) {
      var ka = key(a), kb = key(b);
      if (ka === null || kb === null) return ka === kb ? 0 : ka === null ? 1 : -1;
      var d = text ? String(ka).localeCompare(String(kb)) : ka - kb;
      return asc ? d : -d;
    });
    rows.forEach(function (r) { r.classList.remove('group-end'); body.appendChild(r); });
  }

  // ---- charts (chart.js, inlined above this script)
  var whiskers = {
    id: 'ebWhiskers',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, y = chart.scales.y;
      chart.data.datasets.forEach(function (ds, i) {
        if (!ds.lo || !chart.isDatasetVisible(i)) return;
        chart.getDatasetMeta(i).data.forEach(function (bar, k) {
          var lo = ds.lo[k], hi = ds.hi[k];
          if (lo === null || hi === null || lo === undefined || hi === undefined) return;
          var w = Math.max(2, Math.min(6, bar.width / 4));
          var y1 = y.getPixelForValue(lo), y2 = y.getPixelForValue(hi);
          ctx.save();
          ctx.strokeStyle = 'rgba(31,35,40,0.6)';
          ctx.lineWidth = 1;
          ctx.beginPath();
          ctx.moveTo(bar.x, y1); ctx.lineTo(bar.x, y2);
          ctx.moveTo(bar.x - w, y1); ctx.lineTo(bar.x + w, y1);
          ctx.moveTo(bar.x - w, y2); ctx.lineTo(bar.x + w, y2);
          ctx.stroke();
          ctx.restore();
        });
      });
    }
  };
  var pointLabels = {
    id: 'ebPointLabels',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, area = chart.chartArea;
      var ds = chart.data.datasets[0];
      ctx.save();
      ctx.font = '12px ' + FONT;
      ctx.fillStyle = '#1f2328';
      ctx.textBaseline = 'bottom';
      var placed = [];
      function clash(r) {
        return placed.some(function (q) { return r.x < q.x + q.w && q.x < r.x + r.w && r.y < q.y + q.h && q.y < r.y + r.h; });
      }
      chart.getDatasetMeta(0).data.forEach(function (pt, k) {
        var label = ds.data[k].label;
        var w = ctx.measureText(label).width;
        var right = pt.x + 8 + w > area.right;
        var x0 = right ? pt.x - 8 - w : pt.x + 8;
        // Labels of nearby points would overprint: move down (then up) a line at a time until free.
        var offsets = [-6, 10, -20, 24, -34, 38, -48, 52];
        var y = pt.y - 6;
        for (var o = 0; o < offsets.length; o++) {
          y = Math.min(area.bottom, Math.max(area.top + 14, pt.y + offsets[o]));
          if (!clash({ x: x0, y: y - 14, w: w, h: 14 })) break;
        }
        placed.push({ x: x0, y: y - 14, w: w, h: 14 });
        ctx.textAlign = 'left';
        ctx.fillText(label, x0, y);
      });
      ctx.restore();
    }
  };
  function title(text) {
    return { display: true, text: text, align: 'start', color: '#1f2328', font: { size: 14, weight: '600' }, padding: { bottom: 10 } };
  }
  function compact(v) {
    var a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 }) + 'M';
    if (a >= 1e3) return (v / 1e3).toLocaleString('en-US', { maximumFractionDigits: 1 }) + 'k';
    return Number(v).toLocaleString('en-US', { maximumFractionDigits: 3 });
  }
  function one(x) { return x === null || x === undefined ? '—' : Number(x).toFixed(1); }
  function barConfig(spec) {
    return {
      type: 'bar',
      data: {
        labels: spec.categories,
        datasets: spec.series.map(function (s, i) {
          return { label: s.label, data: s.values, lo: s.lo, hi: s.hi, backgroundColor: color(i, 0.85), borderColor: color(i), borderWidth: 0, borderRadius: 3, maxBarThickness: 40 };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: {
          y: { beginAtZero: true, max: 100, title: { display: true, text: spec.yLabel }, grid: { color: '#eef1f4' } },
          x: { grid: { display: false } }
        },
        plugins: {
          title: title(spec.title),
          legend: { position: 'bottom', labels: { boxWidth: 12, boxHeight: 12 } },
          tooltip: { callbacks: { label: function (c) {
            var ds = c.dataset;
            return ds.label + ': ' + one(c.parsed.y) + '% [' + one(ds.lo[c.dataIndex]) + '–' + one(ds.hi[c.dataIndex]) + ']';
          } } }
        }
      },
      plugins: [whiskers]
    };
  }
  function scatterConfig(spec) {
    var pts = spec.points;
    var front = pts.filter(function (p) { return p.front; }).sort(function (a, b) { return a.x - b.x; });
    return {
      type: 'scatter',
      data: {
        datasets: [
          {
            label: 'models',
            data: pts.map(function (p) { return { x: p.x, y: p.y, label: p.label }; }),
            pointBackgroundColor: pts.map(function (p, i) { return color(i); }),
            pointBorderColor: '#fff', pointBorderWidth: 1.5, pointRadius: 6, pointHoverRadius: 8
          },
          {
            label: 'Pareto front', type: 'line', showLine: true, fill: false, tension: 0,
            data: front.map(function (p) { return { x: p.x, y: p.y }; }),
            borderColor: '#2f6feb', borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 0
          }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        layout: { padding: { right: 12, top: 4 } },
        scales: {
          x: {
            type: spec.logX ? 'logarithmic' : 'linear', beginAtZero: !spec.logX, title: { display: true, text: spec.xLabel }, grid: { color: '#eef1f4' },
            ticks: { maxRotation: 0, autoSkip: true, callback: function (v) {
              if (spec.logX && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) > 1e-9) return '';
              return compact(v);
            } }
          },
          y: { min: 0, max: 100, title: { display: true, text: spec.yLabel }, grid: { color: '#eef1f4' } }
        },
        plugins: {
          title: title(spec.title),
          legend: { position: 'bottom', labels: { boxWidth: 24, boxHeight: 2, filter: function (item) { return item.datasetIndex === 1; } } },
          tooltip: { filter: function (c) { return c.datasetIndex === 0; }, callbacks: { label: function (c) {
            var p = c.raw;
            return p.label + ': macro-F1 ' + one(p.y) + '%, ' + (p.x >= 100 ? fmt(Math.round(p.x)) : p.x.toPrecision(3)) + ' samples/s';
          } } }
        }
      },
      plugins: [pointLabels]
    };
  }
  function initCharts() {
    if (DATA.charts.length === 0) return;
    if (typeof Chart === 'undefined') throw new Error('chart.js is missing from the page');
    Chart.defaults.font.family = FONT;
    Chart.defaults.color = '#59636e';
    DATA.charts.forEach(function (spec) {
      var canvas = el(spec.id);
      if (!canvas) return;
      safe('chart ' + spec.id, function () { new Chart(canvas, spec.kind === 'scatter' ? scatterConfig(spec) : barConfig(spec)); });
    });
  }

  // ---- sample explorer: rows live in JSON script blocks (class eb-rows), parsed on demand.
  // A row is [entry, id, lang, gold, pred|null, status, input index, raw output, error, latency ms];
  // status 1 correct, 0 wrong label, 2 unparseable, 3 error.
  function initExplorer() {
    var X = DATA.explorer, entries = DATA.entries;
    var results = el('ex-results');
    if (!results) return;
    var rowBlocks = document.querySelectorAll('script.eb-rows');
    var inputBlocks = document.querySelectorAll('script.eb-inputs');
    var rowCache = [], inputCache = [], lowered = null;
    function rowChunk(k) { return rowCache[k] || (rowCache[k] = JSON.parse(rowBlocks[k].textContent)); }
    function rowAt(i) { return rowChunk(Math.floor(i / X.chunkRows))[i % X.chunkRows]; }
    function inputChunk(k) { return inputCache[k] || (inputCache[k] = JSON.parse(inputBlocks[k].textContent)); }
    function inputAt(i) { return inputChunk(Math.floor(i / X.chunkRows))[i % X.chunkRows]; }
    function loweredInputs() {
      if (!lowered) {
        lowered = [];
        for (var k = 0; k < inputBlocks.length; k++) {
          var c = inputChunk(k);
          for (var j = 0; j < c.length; j++) lowered.push(c[j].toLowerCase());
        }
      }
      return lowered;
    }
    var f = { model: el('ex-model'), suite: el('ex-suite'), gold: el('ex-gold'), pred: el('ex-pred'), outcome: el('ex-outcome'), q: el('ex-q') };
    var count = el('ex-count'), pageLabel = el('ex-page'), prev = el('ex-prev'), next = el('ex-next');
    var state = { page: 0, matches: null };

    var timer = null;
    function apply() {
      // Reads every filter, so a search still waiting for its debounce is covered: drop it, or it
      // would later reset the page the user moved to.
      clearTimeout(timer);
      var c = { model: f.model.value, suite: f.suite.value, gold: f.gold.value, pred: f.pred.value, outcome: f.outcome.value, q: f.q.value.trim().toLowerCase() };
      if (!c.model && !c.suite && !c.gold && !c.pred && !c.outcome && !c.q) {
        state.matches = null;
      } else {
        var entry = c.model === '' ? -1 : Number(c.model);
        var inputs = c.q ? loweredInputs() : null;
        var out = [];
        for (var k = 0; k < rowBlocks.length; k++) {
          var chunk = rowChunk(k);
          for (var j = 0; j < chunk.length; j++) {
            var r = chunk[j];
            if (entry >= 0 && r[0] !== entry) continue;
            if (c.suite && entries[r[0]].suite !== c.suite) continue;
            if (c.gold && r[3] !== c.gold) continue;
            if (c.pred && (c.pred === X.unparseable ? r[5] < 2 : r[5] >= 2 || r[4] !== c.pred)) continue;
            if (c.outcome && (c.outcome === 'wrong' ? r[5] === 1 : String(r[5]) !== c.outcome)) continue;
            if (c.q && inputs[r[6]].indexOf(c.q) < 0 && r[1].toLowerCase().indexOf(c.q) < 0 &&
                String(r[7]).toLowerCase().indexOf(c.q) < 0 && (r[8] === null || r[8].toLowerCase().indexOf(c.q) < 0)) continue;
            out.push(k * X.chunkRows + j);
          }
        }
        state.matches = out;
      }
      state.page = 0;
      render();
    }

    var STATUS = [['✗ wrong', 'bad'], ['✓ correct', 'ok'], ['? unparseable', 'warn'], ['! error', 'warn']];
    function card(r) {
      var e = entries[r[0]];
      var art = mk('article', 'sample s' + r[5]);
      var head = mk('div', 'sample-head');
      head.appendChild(mk('span', 'badge ' + STATUS[r[5]][1], STATUS[r[5]][0]));
      head.appendChild(mk('span', 'model', e.label));
      if (DATA.suites > 1) head.appendChild(mk('span', '', e.suite));
      head.appendChild(mk('code', '', r[1]));
      if (r[2]) head.appendChild(mk('span', '', r[2]));
      head.appendChild(mk('span', '', r[9] + ' ms'));
      art.appendChild(head);
      var input = mk('div', 'sample-input', inputAt(r[6]));
      input.title = 'click to show all';
      input.addEventListener('click', function () { input.classList.toggle('open'); });
      art.appendChild(input);
      var labels = mk('div', 'sample-labels');
      labels.appendChild(document.createTextNode('expected '));
      labels.appendChild(mk('b', '', r[3]));
      labels.appendChild(document.createTextNode(' · predicted '));
      labels.appendChild(mk('b', r[5] === 1 ? '' : 'wrong', r[4] === null ? X.unparseable : r[4]));
      art.appendChild(labels);
      if (r[7] !== '' && r[7] !== r[4]) art.appendChild(mk('pre', 'raw', r[7]));
      if (r[8] !== null) art.appendChild(mk('div', 'err', 'error: ' + r[8]));
      return art;
    }

    function render() {
      var total = state.matches ? state.matches.length : X.total;
      var pages = Math.max(1, Math.ceil(total / X.pageSize));
      if (state.page > pages - 1) state.page = pages - 1;
      var start = state.page * X.pageSize, end = Math.min(total, start + X.pageSize);
      var frag = document.createDocumentFragment();
      for (var i = start; i < end; i++) frag.appendChild(card(rowAt(state.matches ? state.matches[i] : i)));
      results.replaceChildren(frag);
      count.textContent = total === 0 ? 'no matching samples' :
        fmt(start + 1) + '–' + fmt(end) + ' of ' + fmt(total) + (state.matches ? ' matching samples (' + fmt(X.total) + ' in all)' : ' samples');
      pageLabel.textContent = 'page ' + fmt(state.page + 1) + ' of ' + fmt(pages);
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
    }

    Object.keys(f).forEach(function (k) {
      if (k === 'q') {
        f.q.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(apply, 200); });
      } else {
        f[k].addEventListener('change', apply);
      }
    });
    el('ex-reset').addEventListener('click', function () {
      Object.keys(f).forEach(function (k) { f[k].value = ''; });
      apply();
    });
    function turn(d) {
      state.page += d;
      render();
      var top = el('samples').getBoundingClientRect().top;
      if (top < 0) el('samples').scrollIntoView();
    }
    prev.addEventListener('click', function () { turn(-1); });
    next.addEventListener('click', function () { turn(1); });

    // A confusion-matrix cell shows its samples.
    var cells = document.querySelectorAll('td.cm');
    Array.prototype.forEach.call(cells, function (td) {
      var go = function () {
        f.model.value = td.getAttribute('data-entry');
        f.suite.value = '';
        f.gold.value = td.getAttribute('data-gold');
        f.pred.value = td.getAttribute('data-pred');
        f.outcome.value = '';
        f.q.value = '';
        apply();
        el('samples').scrollIntoView();
      };
      td.addEventListener('click', go);
      td.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); go(); } });
    });
    render();
  }

  safe('sorting', initSorting);
  safe('charts', initCharts);
  safe('explorer', initExplorer);
})();
`;
