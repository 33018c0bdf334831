import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { MODEL_KINDS, type ModelContext } from '../models/registry.js';
import { loadRun } from '../results/summary.js';
import { parseGate } from '../gates/expr.js';
import { checkGates } from '../gates/evaluate.js';
import { leaderboard } from '../report/leaderboard.js';
import type { Suite } from '../suites/schema.js';
import type { Decoding } from '../results/types.js';
import { dryRun, resumeEval, runEval } from '../run/eval.js';
import { runThroughputEval } from '../run/throughput-eval.js';
import { throughputReport } from '../report/throughput-console.js';
import { loadSuite } from '../suites/load.js';
import { table } from '../util/text-table.js';
import { parseShard } from '../run/shard.js';
import { redact } from '../util/redact.js';
import { progressBar } from './progress.js';
import { runReport } from './report-command.js';
import { RuntimeFailure } from '../errors.js';
import type { Model } from '../models/types.js';
import type { SampleRecord } from '../results/types.js';
import { mappingOptions, outputOptions, parseMapping, suiteOption, setExitCode, stopOnSignals, gateOptions, applyGates, positiveInt, UsageError } from './shared.js';

function builder(y: Argv) {
  return (
    outputOptions(mappingOptions(suiteOption(gateOptions(y))), 'summary.json (instead of the leaderboard)')
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
      .option('stop-timeout', { type: 'number', default: 30, describe: 'after Ctrl-C/SIGTERM: seconds requests in flight may take to finish; later ones are left undone for --resume' })
      .option('request-deadline', { type: 'number', default: 600, describe: 'openai: models: seconds one attempt may take in all, however steadily it streams' })
      .option('max-output-bytes', { type: 'number', default: 1 << 20, describe: 'openai: models: answer bytes kept per request; a longer answer is cut there and marked truncated' })
      .option('preflight', { type: 'boolean', default: true, describe: 'openai: models: check each endpoint (reachable, key accepted, model listed) before the run; --no-preflight to replay a cached run offline' })
      .option('max-error-rate', { type: 'number', default: 0.5, describe: 'exit 3 when a model failed on more than this fraction of its samples (a dead or misconfigured endpoint, not a result)' })
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
      .option('max-text-bytes', { type: 'number', describe: 'longest text accepted in a dataset row, in bytes (default 1 MiB); a longer one is a bad row' })
      .option('lenient', { type: 'boolean', default: false, describe: 'skip bad dataset rows (counted in the summary) instead of failing' })
      .check((a) => {
        if (a.resume !== undefined) {
          const clash = ['suite', 'dataset', 'limit', 'shard', 'out', 'max-text-bytes', 'columns', 'labels'].filter((k) => a[k] !== undefined).concat(a.model.length > 0 ? ['model'] : []);
          if (clash.length > 0) throw new UsageError(`--resume takes the run's plan from its run.json; drop --${clash.join(', --')}`);
        } else if (a.suite === undefined || a.suite.trim() === '') throw new UsageError('--suite needs a suite name or a path (or --resume <run-dir>)');
        if (a.limit !== undefined && (!Number.isInteger(a.limit) || a.limit < 1)) throw new UsageError('--limit must be a positive integer');
        if (!Number.isInteger(a.seed)) throw new UsageError('--seed must be an integer');
        if (!Number.isInteger(a.concurrency) || a.concurrency < 1) throw new UsageError('--concurrency must be a positive integer');
        if (a['max-text-bytes'] !== undefined && (!Number.isInteger(a['max-text-bytes']) || a['max-text-bytes'] < 1)) throw new UsageError('--max-text-bytes must be a positive integer');
        if (!(a['request-deadline'] > 0)) throw new UsageError('--request-deadline must be a positive number of seconds');
        if (!Number.isInteger(a['max-output-bytes']) || a['max-output-bytes'] < 1) throw new UsageError('--max-output-bytes must be a positive integer');
        if (!Number.isFinite(a['stop-timeout']) || a['stop-timeout'] < 0) throw new UsageError('--stop-timeout must be a number of seconds (0 or more)');
        if (!(a['max-error-rate'] >= 0 && a['max-error-rate'] <= 1)) throw new UsageError('--max-error-rate must be a fraction from 0 to 1');
        return true;
      })
      .example('$0 eval --suite emotion', 'the default models on the emotion suite')
      .example('$0 eval --suite emotion --model nb --model majority --seed 1', 'two baselines, seeded')
      .example('$0 eval --suite emotion --dataset csv:my-data.csv --lenient', 'your own labelled file')
      .example('$0 eval --resume results/emotion-20261123-101500', 'continue a run that was interrupted')
      .example('$0 eval --suite emotion --model nb --gate "emotion.accuracy>=0.55" --junit gates.xml', 'CI gate')
  );
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

export const evalCommand: CommandModule<object, Parsed> = {
  command: 'eval',
  describe: 'Run a suite on one or more models and write samples.jsonl + summary.json',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    const gates = a.gate.map(parseGate);
    if (a.baseline) await loadRun(a.baseline);
    const modelContext: ModelContext = {
      cacheDir: a.cache ? a['cache-dir'] : null,
      timeoutMs: a.timeout * 1000,
      deadlineMs: a['request-deadline'] * 1000,
      maxOutputBytes: a['max-output-bytes'],
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
      const common = { concurrency: a.concurrency, signal: stop.signal, stopTimeoutMs: a['stop-timeout'] * 1000, onProgress: bar.update, validate, modelContext, maxCost: a['max-cost'], preflight: a.preflight, onSampleError: firstErrorPrinter() };
      const plan = {
        ...common,
        suite: a.suite!,
        models: a.model,
        dataset: a.dataset,
        limit: a.limit,
        seed: a.seed,
        shard: a.shard === undefined ? undefined : parseShard(a.shard),
        out: a.out,
        lenient: a.lenient,
        maxTextBytes: a['max-text-bytes'],
        mapping: parseMapping(a),
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
        const { dir, summary } = await runThroughputEval({ suite: loaded, models: a.model, seed: a.seed, out: a.out, overrides, modelContext, log, preflight: a.preflight });
        if (a.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else if (!a.quiet) process.stdout.write(`${throughputReport(summary)}\n\nresults: ${dir}\n`);
        setExitCode(await applyGates(a, gates, { dir, summary }, a.quiet || a.json ? 'failures' : 'text'));
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
        await runReport({ runs: [dir], out, format: 'html', alpha: 0.05, quiet: a.quiet || a.json });
      }
      if (summary.stopped_by?.startsWith('budget')) {
        process.stderr.write(`emobench: stopped by the ${summary.stopped_by}; continue with: emobench eval --resume ${dir} --max-cost <more>\n`);
      }
      if (stop.received) {
        process.stderr.write(`emobench: stopped by ${stop.received}; the summary covers the finished samples. Continue with: emobench eval --resume ${dir}\n`);
        setExitCode(stop.received === 'SIGINT' ? 130 : 143);
        return;
      }
      const gateCode = await applyGates(a, gates, { dir, summary }, a.quiet || a.json ? 'failures' : 'text');
      const failing = summary.models.filter((m) => m.error_rate > a['max-error-rate']);
      if (failing.length > 0) {
        const list = failing.map((m) => `${m.spec}${m.setting ? ` (${m.setting})` : ''} ${m.errors}/${m.n} (${(m.error_rate * 100).toFixed(1)}%)`).join(', ');
        throw new RuntimeFailure(`failed samples above --max-error-rate ${a['max-error-rate']}: ${list}; these figures measure failures, not the model (errors are in ${join(dir, 'samples.jsonl')})`);
      }
      setExitCode(gateCode);
    } finally {
      await stop.dispose();
      // A signal that landed while the run was finishing (summary, report, gates) still ends it as stopped.
      if (stop.received) setExitCode(stop.received === 'SIGINT' ? 130 : 143);
    }
  },
};

/** Prints each model's first failed sample, with where the model runs, as soon as it happens. */
function firstErrorPrinter(): (model: Model, sample: SampleRecord) => void {
  const seen = new Set<string>();
  return (model, sample) => {
    if (seen.has(model.spec)) return;
    seen.add(model.spec);
    process.stderr.write(redact(`emobench: ${model.spec}${model.location ? ` (${model.location})` : ''}: sample ${sample.id} failed: ${sample.error}\n`));
  };
}
