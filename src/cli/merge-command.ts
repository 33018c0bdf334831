import type { Argv, CommandModule } from 'yargs';
import { leaderboard } from '../report/leaderboard.js';
import { mergeRuns } from '../run/merge.js';
import { outputOptions, printResult } from './shared.js';

function builder(y: Argv) {
  return (
    outputOptions(y, 'the merged summary.json')
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'shard run directories' })
      .option('out', { type: 'string', demandOption: true, describe: 'directory for the merged run' })
      .example('$0 merge shards/0 shards/1 shards/2 shards/3 --out results/emotion-merged', 'four shards into one run')
  );
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

export const mergeCommand: CommandModule<object, Parsed> = {
  command: 'merge <dirs..>',
  describe: 'Combine the run directories of a sharded run (--shard I/N) into one',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    const { dir, summary } = await mergeRuns(a.dirs, a.out);
    printResult(a, summary, () => `${leaderboard(summary)}\n\nresults: ${dir}\n`);
  },
};
