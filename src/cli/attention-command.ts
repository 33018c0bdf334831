import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { defaultRunDir, writeFileAtomic } from '../results/run-dir.js';
import { attentionLift } from '../analysis/run.js';
import { attentionPage } from '../report/pages.js';

function builder(y: Argv) {
  return (
    y
      .option('model', { type: 'string', default: 'scratch', describe: 'scratch spec' })
      .option('text', { type: 'string', array: true, describe: 'texts to analyse (default: the emotion test split)' })
      .option('limit', { type: 'number', default: 300, describe: 'test texts analysed' })
      .option('seed', { type: 'number', default: 0 })
      .option('run-dir', { type: 'string', describe: 'where attention.json and attention.html go (default results/attention-<timestamp>)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
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
};
