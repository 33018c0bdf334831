import pLimit from 'p-limit';
import type { LoadedDataset, Row } from '../datasets/types.js';
import type { ClassifyOutput, Model } from '../models/types.js';
import type { SampleRecord } from '../results/types.js';
import { SampleWriter } from '../results/run-dir.js';
import type { Suite } from '../suites/schema.js';
import { mulberry32 } from '../util/rng.js';

/** Rows per classify() call: large enough to amortise per-call cost, small enough for steady progress. */
const BATCH = 32;

export interface RunPlan {
  suite: Suite;
  models: Model[];
  seed: number;
  concurrency: number;
  samplesPath: string;
  onProgress?: (done: number, total: number, model: string) => void;
}

/** The rows a run scores and the rows baselines train on, as the suite's splits say. */
export function splitRows(suite: Suite, dataset: LoadedDataset, seed: number, limit?: number): { evalRows: Row[]; trainRows: Row[] } {
  const trainRows = dataset.rows.filter((r) => r.split === suite.dataset.train_split);
  let evalRows = dataset.rows.filter((r) => r.split === suite.dataset.split);
  if (limit !== undefined && limit < evalRows.length) {
    // A seeded shuffle, so `--limit` is a representative sample rather than the file's first rows.
    evalRows = seededShuffle(evalRows, seed).slice(0, limit);
  }
  return { evalRows, trainRows };
}

export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const rand = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Runs every model over the evaluation rows and appends one SampleRecord per (model, row) to
 * samples.jsonl as soon as it is known. Returns the records in row order per model.
 */
export async function runClassification(plan: RunPlan, evalRows: Row[], trainRows: Row[]): Promise<Map<string, SampleRecord[]>> {
  const labels = plan.suite.labels ?? [];
  const writer = new SampleWriter(plan.samplesPath);
  const results = new Map<string, SampleRecord[]>();
  const total = evalRows.length * plan.models.length;
  let done = 0;
  try {
    for (const model of plan.models) {
      await model.prepare?.({ train: trainRows, labels, seed: plan.seed });
      const records = new Array<SampleRecord>(evalRows.length);
      const limit = pLimit(plan.concurrency);
      const batches: Row[][] = [];
      for (let i = 0; i < evalRows.length; i += BATCH) batches.push(evalRows.slice(i, i + BATCH));
      let offset = 0;
      await Promise.all(
        batches.map((batch) => {
          const start = offset;
          offset += batch.length;
          return limit(async () => {
            const t0 = performance.now();
            let outputs: ClassifyOutput[] | undefined;
            let error: string | null = null;
            try {
              if (!model.classify) throw new Error(`model ${model.spec} cannot classify`);
              outputs = await model.classify(batch.map((r) => r.text), labels);
            } catch (e) {
              error = (e as Error).message;
            }
            const perSample = (performance.now() - t0) / batch.length;
            batch.forEach((row, k) => {
              const out = outputs?.[k];
              const pred = out?.label ?? null;
              const rec: SampleRecord = {
                model: model.spec,
                suite: plan.suite.name,
                id: row.id,
                lang: row.lang,
                tags: row.tags,
                input: row.text,
                expected: row.label,
                output: out?.raw ?? '',
                pred,
                correct: error === null && pred === row.label,
                ...(out?.probs ? { probs: out.probs.map((p) => Math.round(p * 1e6) / 1e6) } : {}),
                latency_ms: Math.round(perSample * 1000) / 1000,
                error,
              };
              writer.write(rec);
              records[start + k] = rec;
            });
            done += batch.length;
            plan.onProgress?.(done, total, model.spec);
          });
        }),
      );
      results.set(model.spec, records);
    }
  } finally {
    writer.close();
  }
  return results;
}
