import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UserError } from '../errors.js';
import { loadRun } from '../results/summary.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { splitRunDirs } from '../report/inputs.js';
import { renderReport } from '../report/html.js';
import { leaderboardCsv, leaderboardMarkdown } from '../report/leaderboard.js';
import { parseClaims, type PublishedClaim } from '../report/published.js';
import { makeDir } from '../util/mkdir.js';
import { pkgPath } from '../util/paths.js';
import { outputOptions, printResult } from './shared.js';

export interface ReportArgs {
  runs: string[];
  out?: string;
  format: 'html' | 'md' | 'csv';
  claims?: string;
  title?: string;
  alpha: number;
  /** Print what was written as JSON; print nothing but errors. */
  json?: boolean;
  quiet?: boolean;
}

export const DEFAULT_REPORT = 'reports/index.html';
const DEFAULT_CLAIMS = pkgPath('baselines', 'published.json');

/** Published claims: the file named by --claims (must exist), else the shipped one when present. */
export function loadClaims(path: string | undefined): PublishedClaim[] | undefined {
  const file = path ?? DEFAULT_CLAIMS;
  if (!existsSync(file)) {
    if (path !== undefined) throw new UserError(`${path}: no such claims file`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  try {
    return parseClaims(json, file);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}

/** Writes via a temporary file and a rename, so a reader never sees half a report. */
function writeOutput(out: string, text: string): void {
  if (existsSync(out) && statSync(out).isDirectory()) throw new UserError(`--out ${out}: is a directory; name a file, e.g. ${out.replace(/\/+$/, '')}/index.html`);
  try {
    makeDir(dirname(resolve(out)));
    writeFileAtomic(out, text);
  } catch (e) {
    throw new UserError(`--out ${out}: cannot write: ${(e as Error).message}`);
  }
}

export async function runReport(a: ReportArgs): Promise<void> {
  if (!(a.alpha > 0 && a.alpha < 1)) throw new UserError('--alpha must be between 0 and 1, e.g. 0.05');
  if (a.runs.length === 0) throw new UserError('name at least one run directory');
  const { scored, other, skipped } = splitRunDirs(a.runs);
  if (a.json && a.format !== 'html' && a.out === undefined) throw new UserError(`--json prints what was written; --format ${a.format} without --out writes the leaderboard to stdout itself`);
  if (!a.quiet) for (const s of skipped) process.stderr.write(`emobench: skipped ${s.dir}: it holds no run (${s.reason})\n`);
  const written = (out: string, bytes: number) => ({ out, bytes, format: a.format, runs: [...scored, ...[...other.throughput, ...other.profiles, ...other.attention].map((o) => o.dir)], skipped });
  if (skipped.length === a.runs.length) throw new UserError(`no run in ${a.runs.join(', ')}: name eval, throughput, profile or attention run directories`);
  const runs = [];
  for (const r of scored) runs.push(await loadRun(r));
  if (a.format === 'md' || a.format === 'csv') {
    if (runs.length === 0) throw new UserError('--format md and csv need a scored run (eval results), not only throughput, profile or attention runs');
    const summaries = runs.map((r) => r.summary);
    const text = a.format === 'md' ? `${leaderboardMarkdown(summaries)}\n` : leaderboardCsv(summaries, runs.length > 1 ? runs.map((r) => r.dir) : undefined);
    if (a.out === undefined) process.stdout.write(text);
    else {
      writeOutput(a.out, text);
      // As text this prints nothing, as before: the file is the output.
      printResult({ json: a.json === true, quiet: a.quiet === true }, written(a.out, Buffer.byteLength(text)), () => '');
    }
    return;
  }
  const out = a.out ?? DEFAULT_REPORT;
  // Claims named with --claims are always shown; the shipped ones only where a run measured one on its configuration.
  const html = renderReport(runs, { claims: loadClaims(a.claims), showClaims: a.claims !== undefined, alpha: a.alpha, other, ...(a.title === undefined ? {} : { title: a.title }) });
  writeOutput(out, html);
  const bytes = Buffer.byteLength(html);
  printResult({ json: a.json === true, quiet: a.quiet === true }, written(out, bytes), () => `report: ${out} (${Math.ceil(bytes / 1024).toLocaleString('en-US')} KB, ${a.runs.length} run${a.runs.length === 1 ? '' : 's'})\n`);
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <runs..>',
  describe: 'One self-contained HTML report (or the leaderboard as markdown / CSV) from run directories',
  builder: (y: Argv<object>): Argv<ReportArgs> =>
    outputOptions(y, 'what was written (file, bytes, runs, skipped folders)')
      .positional('runs', { type: 'string', array: true, demandOption: true, describe: 'run directories (or their summary.json files): eval runs, throughput runs, profile and attention directories' })
      .option('out', { type: 'string', describe: `output file (html default: ${DEFAULT_REPORT}; md and csv default to stdout)` })
      .option('format', { choices: ['html', 'md', 'csv'] as const, default: 'html' as const, describe: 'html: the full report; md, csv: the leaderboard alone' })
      .option('claims', { type: 'string', describe: 'published claims to check, shown even where none was measured (default: baselines/published.json, shown only when a run measured one of its claims on the configuration it is about)' })
      .option('title', { type: 'string', describe: 'report title' })
      .option('alpha', { type: 'number', default: 0.05, describe: 'significance level of the tie test against each suite’s leader' })
      .example('$0 report results/emotion-20261123-101500', 'writes reports/index.html')
      .example('$0 report results/main results/pr-123 --out reports/pr-123.html', 'two runs side by side')
      .example('$0 report results/emotion-* results/throughput-* results/profile-* results/attention-*', 'accuracy, speed, memory and attention in one report, with the published claims each measures')
      .example('$0 report results/main --format md >> "$GITHUB_STEP_SUMMARY"', 'the leaderboard as markdown')
      .example('$0 report results/* --format csv --out leaderboard.csv', 'every run as CSV') as unknown as Argv<ReportArgs>,
  handler: (a: ArgumentsCamelCase<ReportArgs>) => runReport(a),
};
