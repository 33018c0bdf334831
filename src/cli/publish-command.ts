import type { Argv, CommandModule } from 'yargs';
import { publishSite } from '../view/publish.js';
import { outputOptions, printResult, UsageError } from './shared.js';

function builder(y: Argv) {
  return outputOptions(y, 'what was written (folder, pages, runs, leaderboards)')
    .positional('dirs', { type: 'string', array: true, default: ['results'], describe: 'results folders to publish (default: results)' })
    .option('out', { type: 'string', demandOption: true, describe: 'folder for the static site (created; a site published there before is replaced whole)' })
    .option('compare', { type: 'string', array: true, default: [] as string[], describe: 'A,B: also write the comparison of run B against run A (run ids as the index shows them, or run directories); repeatable' })
    .option('alpha', { type: 'number', default: 0.05, describe: 'significance level for ties and comparisons' })
    .check((a) => {
      if (!(a.alpha > 0 && a.alpha < 1)) throw new UsageError('--alpha must be between 0 and 1, e.g. 0.05');
      return true;
    })
    .example('$0 publish results --out site', 'index, one page per run and per leaderboard, leaderboard.md/.csv/.json')
    .example('$0 publish results --out site --compare results/main,results/pr-123', 'with a comparison page');
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

export const publishCommand: CommandModule<object, Parsed> = {
  command: 'publish [dirs..]',
  describe: 'Write the run list, leaderboards and comparisons as a static site (GitHub Pages or any host)',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    const compare = a.compare.map((pair) => {
      const parts = pair.split(',');
      if (parts.length !== 2 || parts.some((p) => p.trim() === '')) throw new UsageError(`--compare "${pair}": give two runs as A,B`);
      return [parts[0]!.trim(), parts[1]!.trim()] as [string, string];
    });
    const r = await publishSite({ roots: a.dirs, out: a.out, compare, alpha: a.alpha });
    printResult(a, r, () => `site: ${r.out} (${r.pages} pages: ${r.runs} runs, ${r.boards} leaderboard${r.boards === 1 ? '' : 's'}, ${compare.length} comparison${compare.length === 1 ? '' : 's'}; leaderboard.md, .csv, .json)\n`);
  },
};
