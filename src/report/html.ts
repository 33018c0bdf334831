import type { LoadedRun } from '../compare/compare.js';
import { UNPARSEABLE } from '../scoring/classification.js';
import { esc } from '../util/html.js';
import type { ChartSpec, PageData } from './charts.js';
import { entriesOf, suitesOf } from './entries.js';
import { noOtherRuns, type OtherRuns } from './inputs.js';
import { humanTime, renderPage, type Section } from './page.js';
import type { PublishedClaim } from './published.js';
import { attentionSection } from './sections/attention.js';
import { claimFigures, claimsSection } from './sections/claims.js';
import { classesSection } from './sections/classes.js';
import { explorerData, explorerSection } from './sections/explorer.js';
import { languagesSection } from './sections/languages.js';
import { leaderboardSection } from './sections/leaderboard.js';
import { memorySection } from './sections/memory.js';
import { runsSection } from './sections/runs.js';
import { speedSection } from './sections/speed.js';
import { throughputSection } from './sections/throughput.js';

/**
 * `emobench report`: one self-contained HTML file (chart.js inlined, no fonts or CDNs) from run
 * directories of every kind. Pure apart from reading chart.js and the client script once: the caller
 * loads the runs and the published claims. Each section lives in ./sections/, the page shell in
 * ./page.ts, escaping in ../util/html.ts.
 */

export interface ReportOptions {
  title?: string;
  /** ISO time shown in the header; default now (pass one for reproducible output). */
  generatedAt?: string;
  /** Claims from baselines/published.json. */
  claims?: readonly PublishedClaim[];
  /**
   * Show the claims section even when no claim was measured on its configuration (the user asked for
   * claims); otherwise it appears only when at least one was.
   */
  showClaims?: boolean;
  /** Significance level of the tie test (default 0.05). */
  alpha?: number;
  /** Rows per embedded JSON block of the sample explorer (default 5,000). */
  chunkRows?: number;
  /** Samples per explorer page (default 50). */
  pageSize?: number;
  /** Throughput runs, memory profiles and attention analyses shown beside the scored runs. */
  other?: OtherRuns;
}

export function renderReport(runs: readonly LoadedRun[], opts: ReportOptions = {}): string {
  const alpha = opts.alpha ?? 0.05;
  const chunkRows = Math.max(1, Math.floor(opts.chunkRows ?? 5000));
  const pageSize = Math.max(1, Math.floor(opts.pageSize ?? 50));
  const title = opts.title ?? 'emobench report';
  const generatedAt = opts.generatedAt ?? new Date().toISOString();
  const entries = entriesOf(runs);
  const charts: ChartSpec[] = [];
  const suites = suitesOf(entries);
  const other = opts.other ?? noOtherRuns();
  const scored = entries.length > 0;

  const sections = [
    scored ? leaderboardSection(entries, alpha) : undefined,
    scored ? classesSection(entries, charts) : undefined,
    scored ? languagesSection(entries, charts) : undefined,
    scored ? speedSection(entries, charts) : undefined,
    throughputSection(other.throughput, charts),
    memorySection(other.profiles, charts),
    attentionSection(other.attention),
    claimsSection(entries, opts.claims, claimFigures(other), opts.showClaims ?? false),
    scored ? explorerSection(entries) : undefined,
    runsSection(runs, other),
  ].filter((s): s is Section => s !== undefined);
  const runCount = runs.length + other.throughput.length + other.profiles.length + other.attention.length;
  if (sections.every((s) => s.id === 'runs' || s.id === 'claims')) sections.unshift({ id: 'empty', html: '<section><p class="muted">The runs contain no models.</p></section>' });
  const ex = explorerData(entries, chunkRows);
  const data: PageData = {
    charts,
    entries: entries.map((e) => ({ label: e.label, spec: e.spec, suite: e.suite, run: e.run })),
    suites: suites.length,
    explorer: scored ? { total: ex.total, chunkRows, rowChunks: ex.rowChunks, inputChunks: ex.inputChunks, pageSize, unparseable: UNPARSEABLE } : null,
  };
  const incomplete = runs.filter((r) => !r.summary.complete).length + other.throughput.filter((r) => !r.summary.complete).length + other.profiles.filter((r) => r.profile.complete === false).length;
  const kinds = [...new Set([...suites, ...(other.throughput.length ? ['throughput'] : []), ...(other.profiles.length ? ['memory profile'] : []), ...(other.attention.length ? ['attention'] : [])])];
  const subtitle = [
    esc(kinds.join(', ') || 'no suites'),
    `${entries.length} model result${entries.length === 1 ? '' : 's'} from ${runCount} run${runCount === 1 ? '' : 's'}`,
    ...(scored ? [`${ex.total.toLocaleString('en-US')} samples`] : []),
    `generated <time datetime="${esc(generatedAt)}">${esc(humanTime(generatedAt))}</time>`,
  ].join(' · ');
  return renderPage({
    title,
    subtitle,
    ...(incomplete > 0 ? { banner: `${incomplete} run${incomplete === 1 ? ' is' : 's are'} incomplete: figures cover the finished samples only.` } : {}),
    sections,
    data,
    blocks: ex.blocks,
  });
}
