import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT, RuntimeFailure, UserError } from '../errors.js';
import { MODEL_KINDS } from '../models/registry.js';
import { compareMarkdown, compareRuns, loadRun, readSummary } from '../compare/compare.js';
import { parseGate, type Gate } from '../gates/expr.js';
import { appendStepSummary, baselineGates, checkGates, evaluateGates, gateReport, writeJunit } from '../gates/evaluate.js';
import { leaderboard, leaderboardMarkdown } from '../report/leaderboard.js';
import type { Suite } from '../suites/schema.js';
import type { Summary, ThroughputSummary } from '../results/types.js';
import { defaultRunDir, writeFileAtomic } from '../results/run-dir.js';
import { runProfile } from '../profile/profile.js';
import { attentionLift } from '../analysis/run.js';
import { attentionPage, profilePage } from '../report/pages.js';
import { profileTable } from '../profile/console.js';
import type { KvDtype } from '../scratch/kv-cache.js';
import { dryRun, resumeEval, runEval, type Decoding } from '../run/eval.js';
import { runThroughputEval } from '../run/throughput-eval.js';
import { throughputReport } from '../report/throughput-console.js';
import { loadSuite } from '../suites/load.js';
import { table } from '../util/text-table.js';
import type { ModelContext } from '../models/registry.js';
import type { Sampling } from '../models/types.js';
import { mergeRuns } from '../run/merge.js';
import { rescoreRun } from '../run/rescore.js';
import { parseShard } from '../run/shard.js';
import { emobenchVersion } from '../util/meta.js';
import { progressBar } from './progress.js';
import { serve } from '../serve/command.js';
import { reportCommand, runReport } from './report-command.js';
import { exportCommand } from './export-command.js';
import { trainCommand } from './train-command.js';
import { SERVE_DEFAULTS } from '../serve/server.js';

/** Set by a command that finished but must not exit 0 (stopped by a signal). */
let exitOverride: number | undefined;

/**
 * The first SIGINT/SIGTERM stops scheduling new work: samples in flight finish, the summary is
 * written (marked incomplete), and the process exits 130/143. A second one exits at once; whole
 * sample lines are already on disk.
 */
function stopOnSignals(quiet: boolean): { signal: AbortSignal; received: NodeJS.Signals | undefined; dispose: () => void } {
  const controller = new AbortController();
  const state = {
    signal: controller.signal,
    received: undefined as NodeJS.Signals | undefined,
    dispose: () => {
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

/** Gate flags, shared by `eval` and `gate`. */
function gateOptions<T>(y: Argv<T>) {
  return y
    .option('gate', { type: 'string', array: true, default: [] as string[], describe: 'fail (exit 1) unless <suite>.<metric>[.<class>] <op> <value> holds, e.g. "emotion.accuracy>=0.80"' })
    .option('gate-model', { type: 'string', array: true, default: [] as string[], describe: 'models the gates apply to (default: the first model of the run)' })
    .option('baseline', { type: 'string', describe: 'an earlier run (directory or summary.json): fail on a significant drop in accuracy or macro-F1' })
    .option('max-drop', { type: 'number', default: 0.02, describe: 'with --baseline: the largest drop (fraction) that passes' })
    .option('significance', { type: 'boolean', default: true, describe: 'with --baseline: fail only when the drop is also significant (paired test, p<0.05); --no-significance for a plain threshold' })
    .option('junit', { type: 'string', describe: 'write the gate results as JUnit XML to this file' });
}

interface GateArgs {
  gate: string[];
  'gate-model': string[];
  baseline?: string;
  'max-drop': number;
  significance: boolean;
  junit?: string;
}

/** Evaluates gates on a finished run; prints them; returns the exit code they imply. */
async function applyGates(a: GateArgs, gates: Gate[], run: { dir: string; summary: Summary | ThroughputSummary }, quiet: boolean): Promise<number> {
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
  if (results.length === 0) return EXIT.ok;
  const failed = results.some((r) => !r.pass);
  if (!quiet || failed) (failed ? process.stderr : process.stdout).write(`${gateReport(results)}\n`);
  return failed ? EXIT.gateFailed : EXIT.ok;
}

function positiveInt(x: string, flag: string): number {
  const n = Number(x);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: "${x}" is not a positive integer`);
  return n;
}

/** Thrown by yargs' fail handler so usage errors share the exit-code path of every other error. */
class UsageError extends UserError {}

export async function main(argv: string[]): Promise<number> {
  const cli = yargs(argv)
    .scriptName('emobench')
    .version(emobenchVersion())
    .strict()
    .demandCommand(1, 'name a command, e.g. `emobench eval --suite emotion`')
    .recommendCommands()
    .command(
      'eval',
      'Run a suite on one or more models and write samples.jsonl + summary.json',
      (y) =>
        gateOptions(y)
          .option('suite', { type: 'string', describe: 'shipped suite name (emotion) or a path to a suite .yaml' })
          .option('model', { type: 'string', array: true, default: [] as string[], describe: `model spec, repeatable; default: the suite's default models. Known: ${Object.keys(MODEL_KINDS).join(', ')}` })
          .option('dataset', { type: 'string', describe: 'run the suite on another file: csv:, tsv:, jsonl: (columns id, text, label, lang, split) or goemotions:, xed:, wrime:' })
          .option('limit', { type: 'number', describe: 'score at most N rows (a seeded random subset)' })
          .option('seed', { type: 'number', default: 0, describe: 'seed for subsets, bootstrap intervals and sampling' })
          .option('concurrency', { type: 'number', default: 4, describe: 'batches in flight per model' })
          .option('out', { type: 'string', describe: 'run directory (default results/<suite>-<timestamp>)' })
          .option('shard', { type: 'string', describe: 'run only shard I of N (0-based, I/N), split by a hash of sample ids; combine with `emobench merge`' })
          .option('resume', { type: 'string', describe: 'continue an interrupted run directory; its plan comes from its run.json' })
          .option('force', { type: 'boolean', default: false, describe: 'with --resume: continue even though the suite, dataset or models changed' })
          .option('temperature', { type: 'string', describe: 'chat models: sampling temperature, or a list for a decoding sweep (0,0.4,1.0)' })
          .option('shots', { type: 'number', describe: "chat models: worked examples from the suite's train split before each question" })
          .option('cot', { type: 'boolean', default: false, describe: "chat models: use the suite's chain-of-thought system prompt" })
          .option('top-p', { type: 'number', describe: 'chat models: nucleus sampling' })
          .option('max-tokens', { type: 'number', describe: 'chat models: most tokens to generate per answer' })
          .option('base-url', { type: 'string', describe: 'openai: models: endpoint base URL (e.g. http://127.0.0.1:8000/v1), overriding baselines/models.yaml' })
          .option('api-key-env', { type: 'string', describe: 'openai: models: the environment variable holding the API key' })
          .option('timeout', { type: 'number', default: 60, describe: 'openai: models: seconds without a byte from the server before an attempt fails' })
          .option('cache', { type: 'boolean', default: true, describe: 'reuse cached API responses (--no-cache sends every request)' })
          .option('cache-dir', { type: 'string', default: '.emobench-cache', describe: 'where API responses are cached' })
          .option('max-cost', { type: 'number', describe: 'stop cleanly once this many USD have been spent (results so far are kept)' })
          .option('report', { type: 'string', describe: 'also write the HTML report (default <run-dir>/report.html)' })
          .option('prompt-tokens', { type: 'string', describe: 'throughput suite: prompt lengths, e.g. 128,512' })
          .option('output-tokens', { type: 'number', describe: 'throughput suite: tokens decoded per timed generation' })
          .option('batch', { type: 'string', describe: 'throughput suite: batch sizes, e.g. 1,4' })
          .option('repeats', { type: 'number', describe: 'chat models: answer each question this many times per setting (consistency); throughput suite: timed repetitions' })
          .option('levels', { type: 'string', describe: 'throughput suite: request concurrency levels, e.g. 1,4,16,64' })
          .option('slo-ttft-ms', { type: 'number', describe: 'throughput suite: goodput objective for time to first token' })
          .option('slo-tpot-ms', { type: 'number', describe: 'throughput suite: goodput objective for time per output token' })
          .option('slo-e2e-ms', { type: 'number', describe: 'throughput suite: goodput objective for end-to-end latency' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'print requests, estimated tokens and cost per model; run nothing' })
          .option('lenient', { type: 'boolean', default: false, describe: 'skip bad dataset rows (counted in the summary) instead of failing' })
          .option('json', { type: 'boolean', default: false, describe: 'print summary.json to stdout instead of the leaderboard' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors (and --json output)' })
          .check((a) => {
            if (a.resume !== undefined) {
              const clash = ['suite', 'dataset', 'limit', 'shard', 'out'].filter((k) => a[k] !== undefined).concat(a.model.length > 0 ? ['model'] : []);
              if (clash.length > 0) throw new UsageError(`--resume takes the run's plan from its run.json; drop --${clash.join(', --')}`);
            } else if (a.suite === undefined || a.suite.trim() === '') throw new UsageError('--suite needs a suite name or a path (or --resume <run-dir>)');
            if (a.limit !== undefined && (!Number.isInteger(a.limit) || a.limit < 1)) throw new UsageError('--limit must be a positive integer');
            if (!Number.isInteger(a.seed)) throw new UsageError('--seed must be an integer');
            if (!Number.isInteger(a.concurrency) || a.concurrency < 1) throw new UsageError('--concurrency must be a positive integer');
            return true;
          })
          .example('$0 eval --suite emotion', 'the default models on the emotion suite')
          .example('$0 eval --suite emotion --model nb --model majority --seed 1', 'two baselines, seeded')
          .example('$0 eval --suite emotion --dataset csv:my-data.csv --lenient', 'your own labelled file')
          .example('$0 eval --resume results/emotion-20261123-101500', 'continue a run that was interrupted')
          .example('$0 eval --suite emotion --model nb --gate "emotion.accuracy>=0.55" --junit gates.xml', 'CI gate'),
      async (a) => {
        const gates = a.gate.map(parseGate);
        if (a.baseline) await loadRun(a.baseline);
        const modelContext: ModelContext = {
          cacheDir: a.cache ? a['cache-dir'] : null,
          timeoutMs: a.timeout * 1000,
          seed: a.seed,
          baseUrl: a['base-url'],
          apiKeyEnv: a['api-key-env'],
        };
        const temperatures = a.temperature === undefined ? [] : a.temperature.split(',').map((t) => {
          const x = Number(t);
          if (t.trim() === '' || !Number.isFinite(x) || x < 0 || x > 2) throw new UsageError(`--temperature: "${t}" is not a number from 0 to 2`);
          return x;
        });
        const sampling: Decoding = Object.fromEntries(
          Object.entries({
            temperature: temperatures.length === 1 ? temperatures[0] : undefined,
            temperatures: temperatures.length > 1 ? temperatures : undefined,
            repeats: a.repeats,
            shots: a.shots,
            cot: a.cot || undefined,
            top_p: a['top-p'],
            max_tokens: a['max-tokens'],
            seed: a.seed,
          }).filter(([, v]) => v !== undefined),
        );
        const bar = progressBar(process.stderr.isTTY === true && !a.quiet && !a.json);
        const stop = stopOnSignals(a.quiet);
        try {
          const validate = (suite: Suite) => checkGates(gates, suite.name, suite.labels ?? []);
          const common = { concurrency: a.concurrency, signal: stop.signal, onProgress: bar.update, validate, modelContext, maxCost: a['max-cost'] };
          const plan = {
            ...common,
            suite: a.suite!,
            models: a.model,
            dataset: a.dataset,
            limit: a.limit,
            seed: a.seed,
            shard: a.shard === undefined ? undefined : parseShard(a.shard),
            out: a.out ?? defaultRunDir,
            lenient: a.lenient,
            sampling,
          };
          const loaded = a.resume ? undefined : await loadSuite(a.suite!);
          if (loaded?.spec.task === 'throughput') {
            validate(loaded.spec);
            const list = (v: string | undefined, flag: string) => (v === undefined ? undefined : v.split(',').map((x) => positiveInt(x, flag)));
            const overrides = Object.fromEntries(
              Object.entries({
                prompt_tokens: list(a['prompt-tokens'], '--prompt-tokens'),
                output_tokens: a['output-tokens'],
                batch: list(a.batch, '--batch'),
                repeats: a.repeats,
                concurrency: list(a.levels, '--levels'),
                slo: { ttft_ms: a['slo-ttft-ms'], tpot_ms: a['slo-tpot-ms'], e2e_ms: a['slo-e2e-ms'] },
              }).filter(([, v]) => v !== undefined),
            );
            const log = (line: string) => (a.quiet || a.json ? undefined : process.stderr.write(`${line}\n`));
            const { dir, summary } = await runThroughputEval({ suite: loaded, models: a.model, seed: a.seed, out: typeof plan.out === 'string' ? plan.out : plan.out('throughput'), overrides, modelContext, log });
            if (a.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
            else if (!a.quiet) process.stdout.write(`${throughputReport(summary)}\n\nresults: ${dir}\n`);
            exitOverride = await applyGates(a, gates, { dir, summary }, a.quiet || a.json);
            return;
          }
          if (a['dry-run']) {
            const rows = await dryRun(plan);
            process.stdout.write(`${table(['model', 'requests', 'est. prompt tokens', 'max output tokens', 'est. cost USD'], rows.map((r) => [r.model, String(r.requests), String(r.prompt_tokens), String(r.max_output_tokens), r.cost_usd === null ? 'no price' : r.cost_usd.toFixed(4)]), [false, true, true, true, true])}\n`);
            return;
          }
          const { dir, summary, resumed } = a.resume
            ? await resumeEval(a.resume, { ...common, force: a.force })
            : await runEval(plan);
          bar.end();
          if (a.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
          else if (!a.quiet) {
            if (resumed > 0) process.stdout.write(`resumed: ${resumed} samples were already done\n`);
            process.stdout.write(`${leaderboard(summary)}\n\n`);
            if (summary.skipped_rows.length > 0) process.stdout.write(`skipped ${summary.skipped_rows.length} bad dataset rows (--lenient); see summary.json\n`);
            process.stdout.write(`results: ${dir}\n`);
          }
          if (a.report !== undefined) {
            const out = a.report === '' ? join(dir, 'report.html') : a.report;
            await runReport({ runs: [dir], out, format: 'html', alpha: 0.05 });
          }
          if (summary.stopped_by?.startsWith('budget')) {
            process.stderr.write(`emobench: stopped by the ${summary.stopped_by}; continue with: emobench eval --resume ${dir} --max-cost <more>\n`);
          }
          if (stop.received) {
            process.stderr.write(`emobench: stopped by ${stop.received}; the summary covers the finished samples. Continue with: emobench eval --resume ${dir}\n`);
            exitOverride = stop.received === 'SIGINT' ? 130 : 143;
            return;
          }
          exitOverride = await applyGates(a, gates, { dir, summary }, a.quiet || a.json);
        } finally {
          stop.dispose();
        }
      },
    )
    .command(
      'gate <run>',
      'Check gates on a finished run (exit 1 if any fails)',
      (y) =>
        gateOptions(y)
          .positional('run', { type: 'string', demandOption: true, describe: 'run directory or summary.json' })
          .example('$0 gate results/emotion-20261123-101500 --gate "emotion.f1.anger>=0.78"', 'per-class gate')
          .example('$0 gate results/new --baseline results/main --max-drop 0.02', 'regression check against the main branch'),
      async (a) => {
        const gates = a.gate.map(parseGate);
        const run = readSummary(a.run);
        checkGates(gates, run.summary.suite, 'labels' in run.summary ? run.summary.labels : []);
        if (gates.length === 0 && !a.baseline) throw new UsageError('name at least one --gate or a --baseline');
        exitOverride = await applyGates(a, gates, run, false);
      },
    )
    .command(reportCommand)
    .command(exportCommand)
    .command(trainCommand)
    .command(
      'rescore <run>',
      'Recompute predictions and metrics from the stored raw outputs (no model calls)',
      (y) =>
        y
          .positional('run', { type: 'string', demandOption: true, describe: 'run directory' })
          .example('$0 rescore results/emotion-20261123-101500', 'after an answer-extractor change'),
      async (a) => {
        const { summary, changed } = await rescoreRun(a.run);
        process.stdout.write(`${leaderboard(summary)}\n\n${changed} sample${changed === 1 ? '' : 's'} changed; results: ${a.run}\n`);
      },
    )
    .command(
      'compare <a> <b>',
      'Per-metric deltas B − A with paired significance tests, as markdown for a pull request',
      (y) =>
        y
          .positional('a', { type: 'string', demandOption: true, describe: 'the reference run (directory or summary.json)' })
          .positional('b', { type: 'string', demandOption: true, describe: 'the run to compare with it' })
          .option('alpha', { type: 'number', default: 0.05, describe: 'significance level' })
          .example('$0 compare results/main results/pr-123 >> comment.md', 'a PR comment'),
      async (a) => {
        const runA = await loadRun(a.a);
        const runB = await loadRun(a.b);
        process.stdout.write(compareMarkdown(runA, runB, compareRuns(runA, runB, runB.summary.meta.seed), a.alpha));
      },
    )
    .command(
      'serve',
      'Serve a local model behind an OpenAI-compatible API (/v1/models, /v1/chat/completions, /v1/completions)',
      (y) =>
        y
          .option('model', { type: 'string', demandOption: true, describe: 'model spec to serve, e.g. scratch' })
          .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to bind (loopback by default; 0.0.0.0 exposes it to the network)' })
          .option('port', { type: 'number', default: 8000, describe: 'port (0 picks a free one)' })
          .option('api-key', { type: 'string', describe: 'require this bearer key (default: $EMOBENCH_API_KEY if set)' })
          .option('name', { type: 'string', describe: 'model id clients send (default: the spec)' })
          .option('max-tokens', { type: 'number', default: SERVE_DEFAULTS.maxTokens, describe: 'largest max_tokens a request may ask for' })
          .option('max-n', { type: 'number', default: SERVE_DEFAULTS.maxN, describe: 'largest n a request may ask for' })
          .option('max-body', { type: 'number', default: SERVE_DEFAULTS.maxBodyBytes, describe: 'largest request body in bytes' })
          .check((a) => {
            if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new UsageError('--port must be 0-65535');
            return true;
          })
          .example('$0 serve --model scratch --port 8000', 'then: emobench eval --suite emotion --model openai:emobench-serve'),
      async (a) => {
        await serve(
          { model: a.model, host: a.host, port: a.port, apiKey: a['api-key'] ?? process.env['EMOBENCH_API_KEY'], name: a.name, maxTokens: a['max-tokens'], maxN: a['max-n'], maxBodyBytes: a['max-body'] },
          (line) => process.stderr.write(`${line}\n`),
        );
      },
    )
    .command(
      'profile',
      'Memory profile of a scratch model: weights, KV cache (K/V/scales), activations; a sweep over KV settings with savings and accuracy cost',
      (y) =>
        y
          .option('model', { type: 'string', default: 'scratch', describe: 'scratch spec: scratch, scratch:<dir>, scratch@paper' })
          .option('kv', { type: 'string', default: 'fp32,fp16,int8', describe: 'KV-cache element types' })
          .option('seq', { type: 'string', default: '128,512,1024', describe: 'sequence lengths' })
          .option('batch', { type: 'string', default: '1', describe: 'batch sizes' })
          .option('kv-heads', { type: 'string', describe: 'KV-head counts (grouped-query attention; random-weight configs only)' })
          .option('window', { type: 'string', default: 'none', describe: 'sliding windows ("none" for full attention), e.g. none,256' })
          .option('decode-steps', { type: 'number', default: 8, describe: 'decode steps timed at the end of each fill' })
          .option('accuracy-rows', { type: 'number', describe: 'emotion test texts streamed through each cache setting for the accuracy cost (0 skips; default 200, or 0 for random-weight configs such as scratch@paper)' })
          .option('seed', { type: 'number', default: 0 })
          .option('run-dir', { type: 'string', describe: 'where profile.json and profile.html go (default results/profile-<timestamp>)' })
          .option('out', { type: 'string', describe: 'also write the standalone HTML page here' })
          .option('json', { type: 'boolean', default: false, describe: 'print the sweep as JSON to stdout' })
          .example('$0 profile --model scratch@paper --kv fp32,fp16,int8 --seq 128,512,1024', 'the KV-cache sweep of the 93M configuration')
          .example('$0 profile --model scratch@paper --kv-heads 12,4,1 --window none,256 --accuracy-rows 0', 'grouped-query heads and sliding windows'),
      async (a) => {
        const list = (v: string, flag: string) => v.split(',').map((x) => positiveInt(x.trim(), flag));
        const kv = a.kv.split(',').map((x) => x.trim());
        const bad = kv.find((k) => !['fp32', 'fp16', 'int8'].includes(k));
        if (bad) throw new UsageError(`--kv: "${bad}" is not fp32, fp16 or int8`);
        const log = (line: string) => (a.json ? undefined : process.stderr.write(`${line}\n`));
        const dir = resolve(a['run-dir'] ?? defaultRunDir('profile'));
        mkdirSync(dir, { recursive: true });
        const result = await runProfile({
          model: a.model,
          kv: kv as KvDtype[],
          seq: list(a.seq, '--seq'),
          batch: list(a.batch, '--batch'),
          kvHeads: a['kv-heads'] === undefined ? null : list(a['kv-heads'], '--kv-heads'),
          window: a.window.split(',').map((w) => (w.trim() === 'none' ? null : positiveInt(w.trim(), '--window'))),
          decodeSteps: a['decode-steps'],
          accuracyRows: a['accuracy-rows'],
          seed: a.seed,
          log,
          // A profile of the paper config runs for tens of minutes: every measurement is saved as it lands.
          progress: (partial) => writeFileAtomic(join(dir, 'profile.json'), `${JSON.stringify(partial, null, 2)}\n`),
        });
        writeFileAtomic(join(dir, 'profile.json'), `${JSON.stringify(result, null, 2)}\n`);
        const html = profilePage(result);
        writeFileAtomic(join(dir, 'profile.html'), html);
        if (a.out) writeFileAtomic(a.out, html);
        if (a.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else process.stdout.write(`${profileTable(result)}\n\nresults: ${dir}\n`);
      },
    )
    .command(
      'attention',
      'Attention lift on emotion words with the emotion bias on vs off (the article claims +20%), with a token view',
      (y) =>
        y
          .option('model', { type: 'string', default: 'scratch', describe: 'scratch spec' })
          .option('text', { type: 'string', array: true, describe: 'texts to analyse (default: the emotion test split)' })
          .option('limit', { type: 'number', default: 300, describe: 'test texts analysed' })
          .option('seed', { type: 'number', default: 0 })
          .option('run-dir', { type: 'string', describe: 'where attention.json and attention.html go (default results/attention-<timestamp>)' })
          .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
          .example('$0 attention --model scratch', 'lift over the emotion test split')
          .example('$0 attention --text "I am so happy today" --text "This is ridiculous"', 'your own texts'),
      async (a) => {
        const r = await attentionLift({ model: a.model, texts: a.text, limit: a.limit, seed: a.seed });
        const dir = resolve(a['run-dir'] ?? defaultRunDir('attention'));
        mkdirSync(dir, { recursive: true });
        writeFileAtomic(join(dir, 'attention.json'), `${JSON.stringify(r, null, 2)}\n`);
        writeFileAtomic(join(dir, 'attention.html'), attentionPage(a.model, r.summary, r.texts));
        const s = r.summary;
        const p = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—');
        if (a.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        else process.stdout.write(`attention lift on emotion words (bias on vs off): ${p(s.lift.value)} [${p(s.lift.lo)}, ${p(s.lift.hi)}] over ${s.texts} texts; strongly emotional: ${p(s.strong_lift.value)} [${p(s.strong_lift.lo)}, ${p(s.strong_lift.hi)}] over ${s.strong_texts} (claimed +20%)\nresults: ${dir}\n`);
      },
    )
    .command(
      'merge <dirs..>',
      'Combine the run directories of a sharded run (--shard I/N) into one',
      (y) =>
        y
          .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'shard run directories' })
          .option('out', { type: 'string', demandOption: true, describe: 'directory for the merged run' })
          .option('json', { type: 'boolean', default: false, describe: 'print the merged summary.json to stdout' })
          .example('$0 merge shards/0 shards/1 shards/2 shards/3 --out results/emotion-merged', 'four shards into one run'),
      async (a) => {
        const { dir, summary } = await mergeRuns(a.dirs, a.out);
        if (a.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else process.stdout.write(`${leaderboard(summary)}\n\nresults: ${dir}\n`);
      },
    )
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .help()
    .alias('h', 'help')
    .epilogue('Exit codes: 0 ok · 1 a gate failed · 2 bad usage or input · 3 runtime failure')
    .wrap(process.stdout.columns ? Math.min(110, process.stdout.columns) : null);

  exitOverride = undefined;
  try {
    await cli.parseAsync();
    return exitOverride ?? EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`emobench: ${e.message}\nRun "emobench --help" or "emobench <command> --help" for usage.\n`);
      return EXIT.badInput;
    }
    if (e instanceof UserError || e instanceof RuntimeFailure) {
      process.stderr.write(`emobench: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`emobench: unexpected failure: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.runtime;
  }
}

export async function runCli(): Promise<void> {
  process.exitCode = await main(hideBin(process.argv));
}
