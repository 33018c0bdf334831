import type { Argv, CommandModule } from 'yargs';
import { compareMarkdown, compareRuns, requireShared } from '../compare/compare.js';
import { loadRun } from '../results/summary.js';
import { outputOptions, printResult } from './shared.js';

function builder(y: Argv) {
  return (
    outputOptions(y, 'the per-metric deltas and tests')
      .positional('a', { type: 'string', demandOption: true, describe: 'the reference run (directory or summary.json)' })
      .positional('b', { type: 'string', demandOption: true, describe: 'the run to compare with it' })
      .option('alpha', { type: 'number', default: 0.05, describe: 'significance level' })
      .example('$0 compare results/main results/pr-123 >> comment.md', 'a PR comment')
  );
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

export const compareCommand: CommandModule<object, Parsed> = {
  command: 'compare <a> <b>',
  describe: 'Per-metric deltas B − A with paired significance tests, as markdown for a pull request',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    const runA = await loadRun(a.a);
    const runB = await loadRun(a.b);
    requireShared(runA, runB, 'compare');
    const comparison = compareRuns(runA, runB, runB.summary.meta.seed);
    printResult(a, { a: runA.dir, b: runB.dir, alpha: a.alpha, comparison }, () => compareMarkdown(runA, runB, comparison, a.alpha));
  },
};
