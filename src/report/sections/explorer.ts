import { UNPARSEABLE } from '../../scoring/classification.js';
import { esc, jsonForScript } from '../../util/html.js';
import { suitesOf, type Entry } from '../entries.js';
import type { Section } from '../page.js';

/** Sample rows for the explorer: [entry, id, lang, gold, pred|null, status, input index, output, error, latency]. */
type Row = [number, string, string, string, string | null, 0 | 1 | 2 | 3, number, string, string | null, number];

export function explorerData(entries: readonly Entry[], chunkRows: number): { blocks: string[]; total: number; rowChunks: number; inputChunks: number; golds: string[]; preds: string[] } {
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

export function explorerSection(entries: readonly Entry[]): Section {
  const opt = (v: string | number, text: string) => `<option value="${esc(v)}">${esc(text)}</option>`;
  const suites = suitesOf(entries);
  const labels = [...new Set(entries.flatMap((e) => e.labels))];
  return { id: 'samples', nav: 'Samples', html: `<section id="samples"><h2>Sample explorer</h2>
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
</section>` };
}
