// @ts-check
/**
 * The in-page script of every report page (src/report/page.ts inlines this file's text after
 * chart.js): sortable tables, the charts described in the page's `eb-data` block, and the sample
 * explorer. Plain browser JavaScript checked by TypeScript through JSDoc
 * (src/report/client/tsconfig.json, run by `npm run typecheck` and `npm run build`): a .js file
 * needs no compile step, so the text tsx runs in tests, the text the build copies to dist/ and the
 * text the page carries are the same bytes. Data reaches the page with textContent only, never
 * innerHTML.
 */
/** @typedef {import('../charts.js').PageData} PageData */
/** @typedef {import('../charts.js').ChartSpec} ChartSpec */
/** @typedef {import('../charts.js').Axis} Axis */

/** @param {string} id @returns {any} */
function el(id) { return document.getElementById(id); }
(function () {
  'use strict';
  /** @type {PageData} */
  var DATA = JSON.parse(el('eb-data').textContent);
  var PALETTE = ['#2f6feb', '#e08a3c', '#3a9a72', '#9063cd', '#c9556e', '#4d8fb0', '#a88a2d', '#6e7781', '#2aa0a4', '#b5651d'];
  var FONT = getComputedStyle(document.body).fontFamily;

  function color(i, alpha) {
    var hex = PALETTE[i % PALETTE.length];
    if (alpha === undefined) return hex;
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + alpha + ')';
  }
  /** @param {number} n */
  function fmt(n) { return Number(n).toLocaleString('en-US'); }
  /**
   * @param {string} tag
   * @param {string} cls
   * @param {unknown} [text]
   */
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
  /** @param {number | null | undefined} x */
  function one(x) { return x === null || x === undefined ? '—' : Number(x).toFixed(1); }
  /** A value with its unit: "12.5%", "1.3 MiB", "193 tokens/s". @param {number | null | undefined} x @param {string} unit */
  function withUnit(x, unit) {
    if (x === null || x === undefined) return '—';
    var v = Math.abs(x) >= 100 ? fmt(Math.round(x)) : Math.abs(x) >= 1 ? one(x) : Number(x).toPrecision(2);
    return unit === '%' ? v + '%' : v + ' ' + unit;
  }
  /**
   * chart.js options for one axis as the server scaled it (src/report/charts.ts: percent 0–100, log
   * for data spanning decades, else zero to a round top).
   * @param {Axis} a
   * @param {boolean} [stacked]
   */
  function scale(a, stacked) {
    var base = { title: { display: true, text: a.title }, grid: { color: '#eef1f4' }, stacked: !!stacked };
    if (a.scale === 'percent') return Object.assign(base, { type: 'linear', min: 0, max: 100 });
    if (a.scale === 'log') {
      return Object.assign(base, { type: 'logarithmic', ticks: { callback: function (v) {
        var l = Math.log10(Number(v));
        return Math.abs(l - Math.round(l)) > 1e-9 ? '' : compact(Number(v));
      } } });
    }
    return Object.assign(base, { type: 'linear', beginAtZero: true, max: stacked ? undefined : a.max, ticks: { callback: function (v) { return compact(Number(v)); } } });
  }
  /** @param {ChartSpec} spec */
  function barConfig(spec) {
    var stacked = spec.kind === 'stacked';
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
        scales: { y: scale(spec.y, stacked), x: { grid: { display: false }, stacked: stacked } },
        plugins: {
          title: title(spec.title),
          legend: { position: 'bottom', labels: { boxWidth: 12, boxHeight: 12 } },
          tooltip: { callbacks: { label: function (c) {
            var ds = c.dataset, k = c.dataIndex;
            var ci = ds.lo && ds.lo[k] !== null && ds.lo[k] !== undefined ? ' [' + withUnit(ds.lo[k], spec.y.unit) + ' – ' + withUnit(ds.hi[k], spec.y.unit) + ']' : '';
            return ds.label + ': ' + withUnit(c.parsed.y, spec.y.unit) + ci;
          } } }
        }
      },
      plugins: [whiskers]
    };
  }
  /** @param {ChartSpec} spec */
  function lineConfig(spec) {
    /** @type {Record<string, any>} */
    var scales = { y: scale(spec.y) };
    // Lines are drawn over categories (lengths, steps); x only names them.
    scales.x = { type: 'category', grid: { display: false }, title: { display: !!spec.x, text: spec.x ? spec.x.title : '' } };
    if (spec.y2) scales.y2 = Object.assign(scale(spec.y2), { position: 'right', grid: { drawOnChartArea: false } });
    return {
      type: 'line',
      data: {
        labels: spec.categories,
        datasets: spec.series.map(function (s, i) {
          return { label: s.label, data: s.values, yAxisID: s.right ? 'y2' : 'y', borderColor: color(i), backgroundColor: color(i, 0.2), pointRadius: spec.categories.length > 40 ? 0 : 3, borderWidth: 2, spanGaps: true };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: scales,
        plugins: {
          title: title(spec.title),
          legend: { position: 'bottom', labels: { boxWidth: 12, boxHeight: 12 } },
          tooltip: { callbacks: { label: function (c) {
            var unit = c.dataset.yAxisID === 'y2' && spec.y2 ? spec.y2.unit : spec.y.unit;
            return c.dataset.label + ': ' + withUnit(c.parsed.y, unit);
          } } }
        }
      }
    };
  }
  /** @param {ChartSpec} spec */
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
        scales: { x: scale(spec.x), y: scale(spec.y) },
        plugins: {
          title: title(spec.title),
          legend: { position: 'bottom', labels: { boxWidth: 24, boxHeight: 2, filter: function (item) { return item.datasetIndex === 1; } } },
          tooltip: { filter: function (c) { return c.datasetIndex === 0; }, callbacks: { label: function (c) {
            var p = /** @type {{ x: number, y: number, label: string }} */ (c.raw);
            return p.label + ': ' + spec.y.title + ' ' + withUnit(p.y, spec.y.unit) + ', ' + withUnit(p.x, spec.x.unit);
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
      var canvas = /** @type {HTMLCanvasElement | null} */ (el(spec.id));
      if (!canvas) return;
      var config = spec.kind === 'scatter' ? scatterConfig(spec) : spec.kind === 'lines' ? lineConfig(spec) : barConfig(spec);
      safe('chart ' + spec.id, function () { new Chart(canvas, /** @type {any} */ (config)); });
    });
  }

  // ---- sample explorer: rows live in JSON script blocks (class eb-rows), parsed on demand.
  // A row is [entry, id, lang, gold, pred|null, status, input index, raw output, error, latency ms];
  // status 1 correct, 0 wrong label, 2 unparseable, 3 error.
  function initExplorer() {
    var X = DATA.explorer, entries = DATA.entries;
    var results = el('ex-results');
    if (!results || !X) return;
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
