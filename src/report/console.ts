import type { Summary } from '../results/types.js';
import { estimate, pct, table } from './format.js';

/** The compact leaderboard printed after a run: models by macro-F1, with 95% intervals. */
export function leaderboard(summary: Summary): string {
  const langs = [...new Set(summary.models.flatMap((m) => Object.keys(m.by_lang)))].sort();
  const sorted = [...summary.models].sort((a, b) => b.metrics.macro_f1.value - a.metrics.macro_f1.value);
  const header = ['model', 'n', 'accuracy % [95% CI]', 'macro-F1 % [95% CI]', ...langs.map((l) => `acc ${l}`), 'unparsed', 'errors'];
  const rows = sorted.map((m) => [
    m.spec,
    String(m.n),
    estimate(m.metrics.accuracy),
    estimate(m.metrics.macro_f1),
    ...langs.map((l) => (m.by_lang[l] ? pct(m.by_lang[l].accuracy.value) : '—')),
    String(m.metrics.unparseable - m.errors),
    String(m.errors),
  ]);
  const title = `${summary.suite} · ${summary.meta.dataset.eval_rows} samples · seed ${summary.meta.seed}${summary.complete ? '' : ' · INCOMPLETE'}`;
  return `${title}\n${table(header, rows, header.map((_, i) => i > 0))}`;
}
