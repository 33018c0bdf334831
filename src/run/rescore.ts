import { join } from 'node:path';
import { answerer } from '../extract/answer.js';
import { readManifest } from '../results/manifest.js';
import { lockExistingRunDir, RUN_FILES } from '../results/run-dir.js';
import { loadRun, writeSummary } from '../results/summary.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { SampleRecord, Summary } from '../results/types.js';
import { loadSuite } from '../suites/load.js';
import { aggregateVariants } from './aggregate.js';

/**
 * Recomputes predictions and metrics from the raw outputs stored in samples.jsonl, with the current
 * extractor and metric code and no model calls: after an extractor fix, old runs are rescored.
 */
export async function rescoreRun(dir: string): Promise<{ summary: Summary; changed: number }> {
  // It rewrites samples.jsonl and summary.json: no other writer may append meanwhile.
  const lock = lockExistingRunDir(dir, 'rescore');
  try {
    return await rescoreLocked(dir);
  } finally {
    lock.release();
  }
}

async function rescoreLocked(dir: string): Promise<{ summary: Summary; changed: number }> {
  const run = await loadRun(dir);
  const suite = await loadSuite(readManifest(dir).suite.file);
  const labels = run.summary.labels;
  const judge = answerer(suite.spec.extract?.type ?? 'label', labels, suite.spec.extract?.aliases ?? {});
  let changed = 0;
  const records: SampleRecord[] = run.samples.map((r) => {
    // The row as far as a sample record keeps it: enough for every extractor.
    const row = { id: r.id, text: r.input, label: r.expected, lang: r.lang, split: '', tags: r.tags, line: 0, ...(r.kind ? { kind: r.kind } : {}) };
    const pred = r.error === null ? judge.extract(r.output, row) : null;
    const correct = r.error === null && judge.correct(pred, row);
    if (pred !== r.pred || correct !== r.correct) changed++;
    return { ...r, pred, correct };
  });
  writeFileAtomic(join(run.dir, RUN_FILES.samples), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const summary: Summary = {
    ...run.summary,
    models: [...new Map(run.summary.models.map((m) => [m.spec, m.meta])).entries()].flatMap(([spec, meta]) =>
      aggregateVariants(meta, records.filter((r) => r.model === spec), run.summary.task === 'classification' ? labels : null, run.summary.meta.seed),
    ),
  };
  writeSummary(join(run.dir, RUN_FILES.summary), summary);
  return { summary, changed };
}
