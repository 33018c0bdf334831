import { setImmediate } from 'node:timers/promises';
import { EXIT, UserError } from '../errors.js';
import type { Argv } from 'yargs';
import { loadRun } from '../results/summary.js';
import { listShippedSuites } from '../suites/load.js';
import type { ColumnMapping } from '../datasets/types.js';
import { didYouMean } from '../util/suggest.js';
import type { Gate } from '../gates/expr.js';
import { appendStepSummary, baselineGates, evaluateGates, gateReport, writeJunit } from '../gates/evaluate.js';
import { leaderboardMarkdown } from '../report/leaderboard.js';
import { throughputReport } from '../report/throughput-console.js';
import type { Summary, ThroughputSummary } from '../results/types.js';

/** Set by a command that finished but must not exit 0 (a gate failed, stopped by a signal). */
let exitOverride: number | undefined;

export function setExitCode(code: number): void {
  exitOverride = code;
}

/** The exit code a finished command asked for (and forgets it, for the next in-process call). */
export function takeExitCode(): number | undefined {
  const code = exitOverride;
  exitOverride = undefined;
  return code;
}

/**
 * The first SIGINT/SIGTERM stops scheduling new work: samples in flight finish, the summary is
 * written (marked incomplete), and the process exits 130/143. A second one exits at once; whole
 * sample lines are already on disk.
 */
export function stopOnSignals(quiet: boolean): { signal: AbortSignal; received: NodeJS.Signals | undefined; dispose: () => Promise<void> } {
  const controller = new AbortController();
  const state = {
    signal: controller.signal,
    received: undefined as NodeJS.Signals | undefined,
    dispose: async () => {
      // A signal that arrived while the thread was busy (a blocking write) is still queued in the event
      // loop: two turns of it let the handler see it before it is removed, so it is not lost.
      await setImmediate();
      await setImmediate();
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
  function handler(sig: NodeJS.Signals): void {
    if (state.received) process.exit(sig === 'SIGINT' ? 130 : 143);
    state.received = sig;
    if (!quiet) process.stderr.write(`\nemobench: ${sig}: finishing samples in flight and writing the summary (again to quit now)\n`);
    controller.abort();
  }
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return state;
}

/** `--suite`, with the shipped suites named in its help. */
export function suiteOption<T>(y: Argv<T>) {
  return y.option('suite', { type: 'string', describe: `a shipped suite (${listShippedSuites().join(', ')}; see \`emobench list\`) or a path to a suite .yaml` });
}

/** `--columns` and `--labels`, shared by `eval` and `validate`. */
export function mappingOptions<T>(y: Argv<T>) {
  return y
    .option('columns', { type: 'string', describe: 'your file\'s column names: text=review,label=sentiment (canonical: id, text, label, lang, split, tags)' })
    .option('labels', { type: 'string', describe: "your file's labels in the suite's names: positive=joy,negative=anger" });
}

const CANONICAL_COLUMNS = ['id', 'text', 'label', 'lang', 'split', 'tags'];

/** `a=b,c=d` → { a: b, c: d }, each pair checked. */
function pairs(value: string, flag: string, keys?: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const m = /^\s*([^=]+?)\s*=\s*(.+?)\s*$/.exec(part);
    if (!m) throw new UsageError(`${flag}: "${part}" is not name=value`);
    if (keys && !keys.includes(m[1]!)) throw new UsageError(`${flag}: unknown column "${m[1]}"${didYouMean(m[1]!, keys)} (one of ${keys.join(', ')})`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

export function parseMapping(a: { columns?: string; labels?: string }): ColumnMapping | undefined {
  if (a.columns === undefined && a.labels === undefined) return undefined;
  return {
    ...(a.columns !== undefined ? { columns: pairs(a.columns, '--columns', CANONICAL_COLUMNS) } : {}),
    ...(a.labels !== undefined ? { labels: pairs(a.labels, '--labels') } : {}),
  };
}

/**
 * --json and --quiet, the same two switches on every command that prints: --json puts the command's
 * result on stdout as JSON (`what` says which), --quiet prints nothing but errors.
 */
export function outputOptions<T>(y: Argv<T>, what: string) {
  return y
    .option('json', { type: 'boolean', default: false, describe: `print ${what} as JSON on stdout instead of text` })
    .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors (and what --json asks for)' });
}

/** What a command prints: text, JSON on stdout, or nothing but errors. */
export interface OutputArgs {
  json: boolean;
  quiet: boolean;
}

/** Prints a command's result as --json / --quiet ask; `text` is only built when it is shown. */
export function printResult(a: OutputArgs, json: unknown, text: () => string): void {
  if (a.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else if (!a.quiet) process.stdout.write(text());
}

/** Gate flags, shared by `eval` and `gate`. */
export function gateOptions<T>(y: Argv<T>) {
  return y
    .option('gate', { type: 'string', array: true, default: [] as string[], describe: 'fail (exit 1) unless <suite>.<metric>[.<class>] <op> <value> holds, e.g. "emotion.accuracy>=0.80"' })
    .option('gate-model', { type: 'string', array: true, default: [] as string[], describe: 'models the gates apply to (default: the first model of the run)' })
    .option('baseline', { type: 'string', describe: 'an earlier run (directory or summary.json): fail on a significant drop in accuracy or macro-F1' })
    .option('max-drop', { type: 'number', default: 0.02, describe: 'with --baseline: the largest drop (fraction) that passes' })
    .option('significance', { type: 'boolean', default: true, describe: 'with --baseline: fail only when the drop is also significant (paired test, p<0.05); --no-significance for a plain threshold' })
    .option('junit', { type: 'string', describe: 'write the gate results as JUnit XML to this file' });
}

export interface GateArgs {
  gate: string[];
  'gate-model': string[];
  baseline?: string;
  'max-drop': number;
  significance: boolean;
  junit?: string;
}

/**
 * Evaluates gates on a finished run and returns the exit code they imply. `print`: 'text' prints them
 * (failures on stderr), 'failures' only failed ones, 'json' the results as JSON on stdout.
 */
export async function applyGates(a: GateArgs, gates: Gate[], run: { dir: string; summary: Summary | ThroughputSummary }, print: 'text' | 'failures' | 'json'): Promise<number> {
  const models = a['gate-model'].length > 0 ? a['gate-model'] : run.summary.models.slice(0, 1).map((m) => m.spec);
  const results = [...evaluateGates(run.summary, gates, models)];
  if (a.baseline) {
    if (run.summary.task === 'throughput') throw new UsageError('--baseline compares accuracy; a throughput run has none (use --gate "throughput.decode_tps>=…")');
    results.push(...baselineGates(await loadRun(a.baseline), await loadRun(run.dir), models, { maxDrop: a['max-drop'], significance: a.significance, seed: run.summary.meta.seed }));
  }
  if (a.junit) writeJunit(a.junit, run.summary.suite, results);
  if (process.env['GITHUB_STEP_SUMMARY']) {
    const board = run.summary.task === 'throughput' ? `\`\`\`\n${throughputReport(run.summary as ThroughputSummary)}\n\`\`\`` : leaderboardMarkdown(run.summary as Summary);
    appendStepSummary(process.env['GITHUB_STEP_SUMMARY'], board, results);
  }
  const failed = results.some((r) => !r.pass);
  if (print === 'json') process.stdout.write(`${JSON.stringify({ run: run.dir, pass: !failed, gates: results }, null, 2)}\n`);
  if (results.length === 0) return EXIT.ok;
  if (print === 'text' || (print === 'failures' && failed)) (failed ? process.stderr : process.stdout).write(`${gateReport(results)}\n`);
  return failed ? EXIT.gateFailed : EXIT.ok;
}

export function positiveInt(x: string, flag: string): number {
  const n = Number(x);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: "${x}" is not a positive integer`);
  return n;
}

/** Thrown by yargs' fail handler so usage errors share the exit-code path of every other error. */
export class UsageError extends UserError {}
