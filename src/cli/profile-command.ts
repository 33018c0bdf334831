import type { Argv, CommandModule } from 'yargs';
import { openRunDir } from '../results/run-dir.js';
import { writeProfile, writeProfilePage } from '../results/summary.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { runProfile } from '../profile/profile.js';
import { profilePage } from '../report/pages.js';
import { profileTable } from '../profile/console.js';
import type { KvDtype } from '../scratch/kv-cache.js';
import { outputOptions, positiveInt, printResult, UsageError } from './shared.js';

function builder(y: Argv) {
  return (
    outputOptions(y, 'the sweep')
      .option('model', { type: 'string', default: 'scratch', describe: 'scratch spec: scratch, scratch:<dir>, scratch@paper' })
      .option('kv', { type: 'string', default: 'fp32,fp16,int8', describe: 'KV-cache element types' })
      .option('seq', { type: 'string', default: '128,512,1024', describe: 'sequence lengths' })
      .option('batch', { type: 'string', default: '1', describe: 'batch sizes' })
      .option('kv-heads', { type: 'string', describe: 'KV-head counts (grouped-query attention; random-weight configs only)' })
      .option('window', { type: 'string', default: 'none', describe: 'sliding windows ("none" for full attention), e.g. none,256' })
      .option('decode-steps', { type: 'number', default: 8, describe: 'decode steps timed at the end of each fill' })
      .option('limit', { alias: 'accuracy-rows', type: 'number', describe: 'emotion test texts streamed through each cache setting for the accuracy cost (0 skips; default 200, or 0 for random-weight configs such as scratch@paper)' })
      .option('seed', { type: 'number', default: 0 })
      .option('out', { alias: 'run-dir', type: 'string', describe: 'run directory: profile.json and profile.html (default results/profile-<timestamp>)' })
      .option('report', { type: 'string', describe: 'also write the standalone HTML page to this file' })
      .example('$0 profile --model scratch@paper --kv fp32,fp16,int8 --seq 128,512,1024', 'the KV-cache sweep of the 93M configuration')
      .example('$0 profile --model scratch@paper --kv-heads 12,4,1 --window none,256 --limit 0', 'grouped-query heads and sliding windows')
  );
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

export const profileCommand: CommandModule<object, Parsed> = {
  command: 'profile',
  describe: 'Memory profile of a scratch model: weights, KV cache (K/V/scales), activations; a sweep over KV settings with savings and accuracy cost',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    const list = (v: string, flag: string) => v.split(',').map((x) => positiveInt(x.trim(), flag));
    const kv = a.kv.split(',').map((x) => x.trim());
    const bad = kv.find((k) => !['fp32', 'fp16', 'int8'].includes(k));
    if (bad) throw new UsageError(`--kv: "${bad}" is not fp32, fp16 or int8`);
    const log = (line: string) => (a.json || a.quiet ? undefined : process.stderr.write(`${line}\n`));
    // Every option is checked before the run folder is made.
    const options = {
      model: a.model,
      kv: kv as KvDtype[],
      seq: list(a.seq, '--seq'),
      batch: list(a.batch, '--batch'),
      kvHeads: a['kv-heads'] === undefined ? null : list(a['kv-heads'], '--kv-heads'),
      window: a.window.split(',').map((w) => (w.trim() === 'none' ? null : positiveInt(w.trim(), '--window'))),
      decodeSteps: a['decode-steps'],
      accuracyRows: a.limit,
      seed: a.seed,
      log,
    };
    const run = openRunDir({ out: a.out, defaultName: 'profile', kind: 'profile', command: 'profile', flag: '--out', existing: 'overwrite' });
    let finished = false;
    try {
      // A profile of the paper config runs for tens of minutes: every measurement is saved as it lands.
      const result = await runProfile({ ...options, progress: (partial) => writeProfile(run.dir, partial) });
      writeProfile(run.dir, result);
      const html = profilePage(result);
      writeProfilePage(run.dir, html);
      if (a.report) writeFileAtomic(a.report, html);
      finished = true;
      printResult(a, result, () => `${profileTable(result)}\n\nresults: ${run.dir}\n`);
    } finally {
      run.release({ failed: !finished });
    }
  },
};
