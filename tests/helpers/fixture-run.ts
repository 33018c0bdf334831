import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SampleRecord, Summary } from '../../src/results/types.js';
import { SUMMARY_SCHEMA } from '../../src/results/types.js';
import { aggregateModel } from '../../src/run/aggregate.js';

export const LABELS = ['joy', 'anger', 'sadness', 'surprise', 'neutral'];

/**
 * Writes a run directory whose model answers `correct[i]` right on sample i — for tests of what is
 * computed from runs (gates, compare, reports) with exactly known differences between runs.
 */
export function writeFixtureRun(dir: string, model: string, correct: readonly boolean[], opts: { complete?: boolean; seed?: number } = {}): string {
  mkdirSync(dir, { recursive: true });
  const records: SampleRecord[] = correct.map((ok, i) => {
    const expected = LABELS[i % LABELS.length]!;
    const pred = ok ? expected : LABELS[(i + 1) % LABELS.length]!;
    return { model, suite: 'emotion', id: `x${String(i).padStart(4, '0')}`, lang: i % 2 ? 'en' : 'ja', tags: [], input: `text ${i}`, expected, output: pred, pred, correct: ok, latency_ms: 1, error: null };
  });
  writeFileSync(join(dir, 'samples.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const meta = { spec: model, kind: 'baseline' as const, config: {}, config_hash: '0' };
  const summary: Summary = {
    schema: SUMMARY_SCHEMA,
    suite: 'emotion',
    task: 'classification',
    labels: LABELS,
    complete: opts.complete ?? true,
    meta: {
      emobench: '0.0.0',
      git_commit: null,
      host: { node: process.version, platform: 'test', cpu: 'test', cores: 1, memory_gb: 1 },
      suite: { name: 'emotion', file: 'suites/emotion.yaml', sha256: '0' },
      dataset: { path: 'fixture', format: 'csv', sha256: '0', rows: correct.length, eval_rows: correct.length, train_rows: 0, train_source: 'fixture', skipped: 0, dropped_by_mapping: 0 },
      seed: opts.seed ?? 0,
      limit: null,
      shard: null,
      started_at: new Date(0).toISOString(),
      ended_at: new Date(0).toISOString(),
    },
    models: [aggregateModel(meta, records, LABELS, opts.seed ?? 0)],
    skipped_rows: [],
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  return dir;
}
