import type { Argv, CommandModule } from 'yargs';
import { readSummary } from '../results/summary.js';
import { parseGate } from '../gates/expr.js';
import { checkGates } from '../gates/evaluate.js';
import { setExitCode, gateOptions, applyGates, outputOptions, UsageError } from './shared.js';

function builder(y: Argv) {
  return (
    outputOptions(gateOptions(y), 'the gate results')
      .positional('run', { type: 'string', demandOption: true, describe: 'run directory or summary.json' })
      .example('$0 gate results/emotion-20261123-101500 --gate "emotion.f1.anger>=0.78"', 'per-class gate')
      .example('$0 gate results/new --baseline results/main --max-drop 0.02', 'regression check against the main branch')
  );
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

export const gateCommand: CommandModule<object, Parsed> = {
  command: 'gate <run>',
  describe: 'Check gates on a finished run (exit 1 if any fails)',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    const gates = a.gate.map(parseGate);
    const run = readSummary(a.run);
    checkGates(gates, run.summary.suite, 'labels' in run.summary ? run.summary.labels : []);
    if (gates.length === 0 && !a.baseline) throw new UsageError('name at least one --gate or a --baseline');
    setExitCode(await applyGates(a, gates, run, a.json ? 'json' : a.quiet ? 'failures' : 'text'));
  },
};
