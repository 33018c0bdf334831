import { join } from 'node:path';
import { loadRun } from '../compare/compare.js';
import { labelExtractor } from '../extract/label.js';
import { readManifest } from '../results/manifest.js';
import { writeFileAtomic, writeSummary } from '../results/run-dir.js';
import type { SampleRecord, Summary } from '../results/types.js';
import { loadSuite } from '../suites/load.js';
import { aggregateModel } from './aggregate.js';

/**
 * Recomputes predictions and metrics from the raw outputs stored in samples.jsonl, with the current
 * extractor and metric code and no model calls: after an extractor fix, old runs are rescored.
 */
export async function rescoreRun(dir: string): Promise<{ summary: Summary; changed: number }> {
  const run = loadRun(dir);
  const suite = await loadSuite(readManifest(dir).suite.file);
  const labels = run.summary.labels;
  const extractor = labelExtractor(labels, suite.spec.extract?.aliases ?? {});
  let changed = 0;
  const records: SampleRecord[] = run.samples.map((r) => {
    const pred = r.error === null ? extractor.extract(r.output) : null;
    const correct = r.error === null && pred === r.expected;
    if (pred !== r.pred || correct !== r.correct) changed++;
    return { ...r, pred, correct };
  });
  writeFileAtomic(join(run.dir, 'samples.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const summary: Summary = {
    ...run.summary,
    models: run.summary.models.map((m) => aggregateModel(m.meta, records.filter((r) => r.model === m.spec), labels, run.summary.meta.seed)),
  };
  writeSummary(join(run.dir, 'summary.json'), summary);
  return { summary, changed };
}
