import type { Argv, CommandModule } from 'yargs';
import { openRunDir } from '../results/run-dir.js';
import { writeAttention, writeAttentionPage } from '../results/summary.js';
import { attentionLift } from '../analysis/run.js';
import { attentionPage } from '../report/pages.js';
import { outputOptions, printResult } from './shared.js';

function builder(y: Argv) {
  return (
    outputOptions(y, 'the lift and every text analysed')
      .option('model', { type: 'string', default: 'scratch', describe: 'scratch spec' })
      .option('text', { type: 'string', array: true, describe: 'texts to analyse (default: the emotion test split)' })
      .option('limit', { type: 'number', default: 300, describe: 'analyse at most N emotion test texts (a seeded subset)' })
      .option('seed', { type: 'number', default: 0 })
      .option('out', { alias: 'run-dir', type: 'string', describe: 'run directory: attention.json and attention.html (default results/attention-<timestamp>)' })
      .example('$0 attention --model scratch', 'lift over the emotion test split')
      .example('$0 attention --text "I am so happy today" --text "This is ridiculous"', 'your own texts')
  );
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

export const attentionCommand: CommandModule<object, Parsed> = {
  command: 'attention',
  describe: 'Attention lift on emotion words with the emotion bias on vs off (the article claims +20%), with a token view',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    // Taken before the analysis, so a folder that cannot be written is refused before minutes of work.
    const run = openRunDir({ out: a.out, defaultName: 'attention', kind: 'attention', command: 'attention', flag: '--out', existing: 'overwrite' });
    let r;
    try {
      r = await attentionLift({ model: a.model, texts: a.text, limit: a.limit, seed: a.seed });
      writeAttention(run.dir, r);
      writeAttentionPage(run.dir, attentionPage(a.model, r.summary, r.texts));
    } catch (e) {
      run.release({ failed: true });
      throw e;
    }
    run.release();
    const dir = run.dir;
    const s = r.summary;
    const p = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—');
    printResult(a, r, () => `attention lift on emotion words (bias on vs off): ${p(s.lift.value)} [${p(s.lift.lo)}, ${p(s.lift.hi)}] over ${s.texts} texts; strongly emotional: ${p(s.strong_lift.value)} [${p(s.strong_lift.lo)}, ${p(s.strong_lift.hi)}] over ${s.strong_texts} (claimed +20%)\nresults: ${dir}\n`);
  },
};
