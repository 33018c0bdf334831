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
export interface FixtureRunOptions {
  complete?: boolean;
  seed?: number;
  /** Suite name (default "emotion"). */
  suite?: string;
  /** Input text of sample i (default `text ${i}`). */
  input?: (i: number) => string;
  /** What a wrong sample i predicts (default: the next label); null = unparseable. */
  wrongPred?: (i: number, expected: string) => string | null;
  /** Raw output of sample i given its prediction (default: the prediction, '' when null). */
  output?: (i: number, pred: string | null) => string;
  /** Latency of every sample (default 1 ms). */
  latencyMs?: number;
  /** Prefix of sample ids (default "x"): runs with different prefixes share no sample. */
  idPrefix?: string;
}

export function writeFixtureRun(dir: string, model: string, correct: readonly boolean[], opts: FixtureRunOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const suite = opts.suite ?? 'emotion';
  const records: SampleRecord[] = correct.map((ok, i) => {
    const expected = LABELS[i % LABELS.length]!;
    const pred = ok ? expected : opts.wrongPred ? opts.wrongPred(i, expected) : LABELS[(i + 1) % LABELS.length]!;
    const output = opts.output ? opts.output(i, pred) : (pred ?? '');
    const input = opts.input ? opts.input(i) : `text ${i}`;
    return { model, suite, id: `${opts.idPrefix ?? 'x'}${String(i).padStart(4, '0')}`, lang: i % 2 ? 'en' : 'ja', tags: [], input, expected, output, pred, correct: ok, latency_ms: opts.latencyMs ?? 1, error: null };
  });
  writeFileSync(join(dir, 'samples.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const meta = { spec: model, kind: 'baseline' as const, config: {}, config_hash: '0' };
  const summary: Summary = {
    schema: SUMMARY_SCHEMA,
    suite,
    task: 'classification',
    labels: LABELS,
    complete: opts.complete ?? true,
    meta: {
      emobench: '0.0.0',
      git_commit: null,
      host: { node: process.version, platform: 'test', cpu: 'test', cores: 1, memory_gb: 1 },
      suite: { name: suite, file: `suites/${suite}.yaml`, sha256: '0' },
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
