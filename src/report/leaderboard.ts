import type { Summary } from '../results/types.js';
import { metricDef } from '../scoring/metrics.js';
import type { Estimate } from '../scoring/ci.js';
import { table } from '../util/text-table.js';
import { estimate, pct } from './format.js';
import { markdownCell } from '../util/markdown.js';

/** One leaderboard, three renderings: the terminal, markdown (PR comments, step summaries), CSV. */
interface Board {
  title: string;
  header: string[];
  rows: string[][];
}

function board(summary: Summary): Board {
  const langs = [...new Set(summary.models.flatMap((m) => Object.keys(m.by_lang)))].sort();
  const classes = summary.task === 'classification';
  const sweeps = summary.models.some((m) => m.sweep);
  // Generation suites have no classes: rank by accuracy there, by macro-F1 otherwise.
  const key = (m: Summary['models'][number]) => (classes ? m.metrics.macro_f1.value : m.metrics.accuracy.value);
  const sorted = [...summary.models].sort((a, b) => key(b) - key(a));
  const header = [
    'model',
    'n',
    `${metricDef('accuracy')!.label} [95% CI]`,
    ...(classes ? [`${metricDef('macro_f1')!.label} [95% CI]`] : []),
    ...(sweeps ? ['mean ± sd over repeats', 'consistency %'] : []),
    ...langs.map((l) => `acc ${l}`),
    'unparsed',
    'errors',
  ];
  const rows = sorted.map((m) => [
    m.setting ? `${m.spec} [${m.setting}]` : m.spec,
    String(m.n),
    estimate(m.metrics.accuracy),
    ...(classes ? [estimate(m.metrics.macro_f1)] : []),
    ...(sweeps ? (m.sweep ? [`${pct(m.sweep.accuracy_mean)} ± ${pct(m.sweep.accuracy_sd)}`, pct(m.sweep.consistency)] : ['—', '—']) : []),
    ...langs.map((l) => (m.by_lang[l] ? pct(m.by_lang[l].accuracy.value) : '—')),
    String(m.metrics.unparseable - m.errors),
    String(m.errors),
  ]);
  const title = `${summary.suite} · ${summary.meta.dataset.eval_rows} samples · seed ${summary.meta.seed}${summary.complete ? '' : ' · INCOMPLETE'}`;
  return { title, header, rows };
}

export function leaderboard(summary: Summary): string {
  const b = board(summary);
  return `${b.title}\n${table(b.header, b.rows, b.header.map((_, i) => i > 0))}${breakdowns(summary)}`;
}

/**
 * Results by difficulty and problem kind, and each language's gap to English with its interval:
 * printed under the leaderboard when a suite has them.
 */
function breakdowns(summary: Summary): string {
  const out: string[] = [];
  const name = (m: Summary['models'][number]) => (m.setting ? `${m.spec} [${m.setting}]` : m.spec);
  const groups = [...new Set(summary.models.flatMap((m) => Object.keys(m.by_group ?? {})))];
  for (const g of groups) {
    const values = [...new Set(summary.models.flatMap((m) => Object.keys(m.by_group?.[g] ?? {})))];
    out.push(`\naccuracy % by ${g}\n${table(['model', ...values], summary.models.map((m) => [name(m), ...values.map((v) => (m.by_group?.[g]?.[v] ? estimate(m.by_group[g]![v]!.accuracy) : '—'))]), [false, ...values.map(() => true)])}`);
  }
  const gapLangs = [...new Set(summary.models.flatMap((m) => Object.entries(m.by_lang).filter(([, b]) => b.gap_vs_en).map(([l]) => l)))].sort();
  if (gapLangs.length > 0) {
    out.push(`\nnon-native gap: accuracy minus English's, points [95% CI]\n${table(['model', ...gapLangs], summary.models.map((m) => [name(m), ...gapLangs.map((l) => (m.by_lang[l]?.gap_vs_en ? signedPts(m.by_lang[l]!.gap_vs_en!) : '—'))]), [false, ...gapLangs.map(() => true)])}`);
  }
  return out.join('\n');
}

function signedPts(e: Estimate): string {
  const f = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
  return `${f(e.value)} [${f(e.lo)}, ${f(e.hi)}]`;
}

/** Markdown for one run, or for several (one table per run, separated by a blank line). */
export function leaderboardMarkdown(summary: Summary | readonly Summary[]): string {
  if (Array.isArray(summary)) return (summary as readonly Summary[]).map((s) => leaderboardMarkdown(s)).join('\n\n');
  const b = board(summary as Summary);
  const esc = markdownCell;
  return [
    `**${esc(b.title)}**`,
    '',
    `| ${b.header.map(esc).join(' | ')} |`,
    `| ${b.header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...b.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/**
 * CSV with plain numbers (fractions, not percent strings) so spreadsheets can compute with them.
 * With `runs` (one name per summary, e.g. the run directories) a last `run` column tells apart the
 * same model measured in several runs.
 */
export function leaderboardCsv(summaries: readonly Summary[], runs?: readonly string[]): string {
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [`suite,model,n,accuracy,accuracy_lo,accuracy_hi,macro_f1,macro_f1_lo,macro_f1_hi,unparseable,errors${runs ? ',run' : ''}`];
  summaries.forEach((s, k) => {
    for (const m of s.models) {
      const a = m.metrics.accuracy;
      const f = m.metrics.macro_f1;
      const cells: (string | number)[] = [s.suite, m.spec, m.n, a.value, a.lo, a.hi, f.value, f.lo, f.hi, m.metrics.unparseable - m.errors, m.errors];
      if (runs) cells.push(runs[k] ?? '');
      lines.push(cells.map((x) => q(String(x))).join(','));
    }
  });
  return `${lines.join('\n')}\n`;
}
