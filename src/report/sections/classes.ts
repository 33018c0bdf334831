import { UNPARSEABLE } from '../../scoring/classification.js';
import { esc } from '../../util/html.js';
import { axisFor, type ChartSpec } from '../charts.js';
import { pctS } from '../cells.js';
import { suitesOf, type Entry } from '../entries.js';
import type { Section } from '../page.js';

const pct100 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10000) / 100 : null);

export function classesSection(entries: readonly Entry[], charts: ChartSpec[]): Section {
  const parts: string[] = [];
  for (const suite of suitesOf(entries)) {
    const rows = entries.filter((e) => e.suite === suite);
    const labels = rows[0]!.labels;
    const id = `chart-f1-${charts.length}`;
    charts.push({
      id,
      kind: 'bars',
      title: `${suite}: per-class F1 (%)`,
      y: axisFor([], { title: 'F1 %', unit: '%', percent: true }),
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
  return { id: 'classes', nav: 'Classes', html: `<section id="classes"><h2>Classes and confusions</h2>
<p class="lede">Confusion matrices: rows are the gold label, columns the prediction; shading is the share of the row (so small classes read as clearly as large ones), the number is the count. Errors are shaded red. Click a cell to see those samples.</p>
${parts.join('\n')}</section>` };
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

