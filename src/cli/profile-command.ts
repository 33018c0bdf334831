import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { defaultRunDir, writeFileAtomic } from '../results/run-dir.js';
import { runProfile } from '../profile/profile.js';
import { profilePage } from '../report/pages.js';
import { profileTable } from '../profile/console.js';
import type { KvDtype } from '../scratch/kv-cache.js';
import { positiveInt, UsageError } from './shared.js';

function builder(y: Argv) {
  return (
    y
      .option('model', { type: 'string', default: 'scratch', describe: 'scratch spec: scratch, scratch:<dir>, scratch@paper' })
      .option('kv', { type: 'string', default: 'fp32,fp16,int8', describe: 'KV-cache element types' })
      .option('seq', { type: 'string', default: '128,512,1024', describe: 'sequence lengths' })
      .option('batch', { type: 'string', default: '1', describe: 'batch sizes' })
      .option('kv-heads', { type: 'string', describe: 'KV-head counts (grouped-query attention; random-weight configs only)' })
      .option('window', { type: 'string', default: 'none', describe: 'sliding windows ("none" for full attention), e.g. none,256' })
      .option('decode-steps', { type: 'number', default: 8, describe: 'decode steps timed at the end of each fill' })
      .option('accuracy-rows', { type: 'number', describe: 'emotion test texts streamed through each cache setting for the accuracy cost (0 skips; default 200, or 0 for random-weight configs such as scratch@paper)' })
      .option('seed', { type: 'number', default: 0 })
      .option('run-dir', { type: 'string', describe: 'where profile.json and profile.html go (default results/profile-<timestamp>)' })
      .option('out', { type: 'string', describe: 'also write the standalone HTML page here' })
      .option('json', { type: 'boolean', default: false, describe: 'print the sweep as JSON to stdout' })
      .example('$0 profile --model scratch@paper --kv fp32,fp16,int8 --seq 128,512,1024', 'the KV-cache sweep of the 93M configuration')
      .example('$0 profile --model scratch@paper --kv-heads 12,4,1 --window none,256 --accuracy-rows 0', 'grouped-query heads and sliding windows')
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
    const log = (line: string) => (a.json ? undefined : process.stderr.write(`${line}\n`));
    const dir = resolve(a['run-dir'] ?? defaultRunDir('profile'));
    mkdirSync(dir, { recursive: true });
    const result = await runProfile({
      model: a.model,
      kv: kv as KvDtype[],
      seq: list(a.seq, '--seq'),
      batch: list(a.batch, '--batch'),
      kvHeads: a['kv-heads'] === undefined ? null : list(a['kv-heads'], '--kv-heads'),
      window: a.window.split(',').map((w) => (w.trim() === 'none' ? null : positiveInt(w.trim(), '--window'))),
      decodeSteps: a['decode-steps'],
      accuracyRows: a['accuracy-rows'],
      seed: a.seed,
      log,
      // A profile of the paper config runs for tens of minutes: every measurement is saved as it lands.
      progress: (partial) => writeFileAtomic(join(dir, 'profile.json'), `${JSON.stringify(partial, null, 2)}\n`),
    });
    writeFileAtomic(join(dir, 'profile.json'), `${JSON.stringify(result, null, 2)}\n`);
    const html = profilePage(result);
    writeFileAtomic(join(dir, 'profile.html'), html);
    if (a.out) writeFileAtomic(a.out, html);
    if (a.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${profileTable(result)}\n\nresults: ${dir}\n`);
  },
};
