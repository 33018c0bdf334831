import { basename } from 'node:path';
import type { LoadedRun } from '../compare/compare.js';
import type { ModelResult, SampleRecord } from '../results/types.js';

/** A scored run's model results as the report's sections see them: one entry per (run, model). */
export interface Entry {
  index: number;
  label: string;
  spec: string;
  suite: string;
  labels: string[];
  run: string;
  runIndex: number;
  complete: boolean;
  result: ModelResult;
  samples: SampleRecord[];
}

/** Run directory names, made unique by their position when two are the same. */
export function runNames(dirs: readonly string[]): string[] {
  const names = dirs.map((d) => basename(d.replace(/[\\/]+$/, '')) || d);
  return names.map((n, i) => (names.indexOf(n) !== i || names.lastIndexOf(n) !== i ? `${n} #${i + 1}` : n));
}

export function entriesOf(runs: readonly LoadedRun[]): Entry[] {
  const names = runNames(runs.map((r) => r.dir));
  const entries: Entry[] = [];
  runs.forEach((run, runIndex) => {
    const bySpec = new Map<string, SampleRecord[]>();
    for (const s of run.samples) {
      if (s.suite !== run.summary.suite) continue;
      let list = bySpec.get(s.model);
      if (!list) bySpec.set(s.model, (list = []));
      list.push(s);
    }
    for (const result of run.summary.models) {
      entries.push({
        index: entries.length,
        label: result.spec,
        spec: result.spec,
        suite: run.summary.suite,
        labels: run.summary.labels,
        run: names[runIndex]!,
        runIndex,
        complete: run.summary.complete,
        result,
        samples: bySpec.get(result.spec) ?? [],
      });
    }
  });
  // The same spec twice in one suite (e.g. two runs of nb): name the run too.
  for (const e of entries) {
    if (entries.some((o) => o !== e && o.suite === e.suite && o.spec === e.spec)) e.label = `${e.spec} · ${e.run}`;
  }
  return entries;
}

export function suitesOf(entries: readonly Entry[]): string[] {
  return [...new Set(entries.map((e) => e.suite))];
}
