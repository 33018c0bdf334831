import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT, RuntimeFailure, UserError } from '../errors.js';
import { MODEL_KINDS } from '../models/registry.js';
import { leaderboard } from '../report/console.js';
import { defaultRunDir } from '../results/run-dir.js';
import { runEval } from '../run/eval.js';
import { emobenchVersion } from '../util/meta.js';
import { progressBar } from './progress.js';

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
        y
          .option('suite', { type: 'string', demandOption: true, describe: 'shipped suite name (emotion) or a path to a suite .yaml' })
          .option('model', { type: 'string', array: true, default: [] as string[], describe: `model spec, repeatable; default: the suite's default models. Known: ${Object.keys(MODEL_KINDS).join(', ')}` })
          .option('dataset', { type: 'string', describe: 'run the suite on another file: csv:, tsv:, jsonl: (columns id, text, label, lang, split) or goemotions:, xed:, wrime:' })
          .option('limit', { type: 'number', describe: 'score at most N rows (a seeded random subset)' })
          .option('seed', { type: 'number', default: 0, describe: 'seed for subsets, bootstrap intervals and sampling' })
          .option('concurrency', { type: 'number', default: 4, describe: 'batches in flight per model' })
          .option('out', { type: 'string', describe: 'run directory (default results/<suite>-<timestamp>)' })
          .option('lenient', { type: 'boolean', default: false, describe: 'skip bad dataset rows (counted in the summary) instead of failing' })
          .option('json', { type: 'boolean', default: false, describe: 'print summary.json to stdout instead of the leaderboard' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors (and --json output)' })
          .check((a) => {
            if (a.suite.trim() === '') throw new UsageError('--suite needs a suite name or a path');
            if (a.limit !== undefined && (!Number.isInteger(a.limit) || a.limit < 1)) throw new UsageError('--limit must be a positive integer');
            if (!Number.isInteger(a.seed)) throw new UsageError('--seed must be an integer');
            if (!Number.isInteger(a.concurrency) || a.concurrency < 1) throw new UsageError('--concurrency must be a positive integer');
            return true;
          })
          .example('$0 eval --suite emotion', 'the default models on the emotion suite')
          .example('$0 eval --suite emotion --model nb --model majority --seed 1', 'two baselines, seeded')
          .example('$0 eval --suite emotion --dataset csv:my-data.csv --lenient', 'your own labelled file'),
      async (a) => {
        const bar = progressBar(process.stderr.isTTY === true && !a.quiet && !a.json);
        const { dir, summary } = await runEval({
          suite: a.suite,
          models: a.model,
          dataset: a.dataset,
          limit: a.limit,
          seed: a.seed,
          concurrency: a.concurrency,
          out: a.out ?? defaultRunDir,
          lenient: a.lenient,
          onProgress: bar.update,
        });
        bar.end();
        if (a.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else if (!a.quiet) {
          process.stdout.write(`${leaderboard(summary)}\n\n`);
          if (summary.skipped_rows.length > 0) process.stdout.write(`skipped ${summary.skipped_rows.length} bad dataset rows (--lenient); see summary.json\n`);
          process.stdout.write(`results: ${dir}\n`);
        }
      },
    )
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .help()
    .alias('h', 'help')
    .epilogue('Exit codes: 0 ok · 1 a gate failed · 2 bad usage or input · 3 runtime failure')
    .wrap(process.stdout.columns ? Math.min(110, process.stdout.columns) : null);

  try {
    await cli.parseAsync();
    return EXIT.ok;
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
