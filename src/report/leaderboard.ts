import type { Summary } from '../results/types.js';
import { estimate, pct, table } from './format.js';

/** One leaderboard, three renderings: the terminal, markdown (PR comments, step summaries), CSV. */
interface Board {
  title: string;
  header: string[];
  rows: string[][];
}

function board(summary: Summary): Board {
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
  return { title, header, rows };
}

export function leaderboard(summary: Summary): string {
  const b = board(summary);
  return `${b.title}\n${table(b.header, b.rows, b.header.map((_, i) => i > 0))}`;
}

export function leaderboardMarkdown(summary: Summary): string {
  const b = board(summary);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `**${esc(b.title)}**`,
    '',
    `| ${b.header.map(esc).join(' | ')} |`,
    `| ${b.header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...b.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** CSV with plain numbers (fractions, not percent strings) so spreadsheets can compute with them. */
export function leaderboardCsv(summaries: readonly Summary[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ['suite,model,n,accuracy,accuracy_lo,accuracy_hi,macro_f1,macro_f1_lo,macro_f1_hi,unparseable,errors'];
  for (const s of summaries) {
    for (const m of s.models) {
      const a = m.metrics.accuracy;
      const f = m.metrics.macro_f1;
      lines.push([s.suite, m.spec, m.n, a.value, a.lo, a.hi, f.value, f.lo, f.hi, m.metrics.unparseable - m.errors, m.errors].map((x) => q(String(x))).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
