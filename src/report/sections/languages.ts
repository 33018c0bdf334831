import { esc } from '../../util/html.js';
import { axisFor, type ChartSpec } from '../charts.js';
import { dv, pctS } from '../cells.js';
import { suitesOf, type Entry } from '../entries.js';
import type { Section } from '../page.js';

const pct100 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10000) / 100 : null);

export function languagesSection(entries: readonly Entry[], charts: ChartSpec[]): Section {
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
      y: axisFor([], { title: 'accuracy %', unit: '%', percent: true }),
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
  return { id: 'languages', nav: 'Languages', html: `<section id="languages"><h2>Languages</h2>\n${parts.join('\n')}</section>` };
}

