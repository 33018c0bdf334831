import type { Argv, CommandModule } from 'yargs';
import { leaderboard } from '../report/leaderboard.js';
import { rescoreRun } from '../run/rescore.js';
import { outputOptions, printResult } from './shared.js';

function builder(y: Argv) {
  return (
    outputOptions(y, 'the new summary.json and the number of changed samples')
      .positional('run', { type: 'string', demandOption: true, describe: 'run directory' })
      .example('$0 rescore results/emotion-20261123-101500', 'after an answer-extractor change')
  );
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

export const rescoreCommand: CommandModule<object, Parsed> = {
  command: 'rescore <run>',
  describe: 'Recompute predictions and metrics from the stored raw outputs (no model calls)',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    const { summary, changed } = await rescoreRun(a.run);
    printResult(a, { changed, summary }, () => `${leaderboard(summary)}\n\n${changed} sample${changed === 1 ? '' : 's'} changed; results: ${a.run}\n`);
  },
};
