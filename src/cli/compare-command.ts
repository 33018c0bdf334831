import type { Argv, CommandModule } from 'yargs';
import { compareMarkdown, compareRuns, loadRun } from '../compare/compare.js';

function builder(y: Argv) {
  return (
    y
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
    process.stdout.write(compareMarkdown(runA, runB, compareRuns(runA, runB, runB.summary.meta.seed), a.alpha));
  },
};
