import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { manifestDifferences, readManifest, writeManifest } from '../results/manifest.js';
import { streamSamples } from '../results/read-samples.js';
import { openRunDir, RUN_FILES, SampleWriter } from '../results/run-dir.js';
import { readSummary, writeSummary } from '../results/summary.js';
import { sampleKey, SUMMARY_SCHEMA, type ModelResult, type ScoredSample, type Summary } from '../results/types.js';
import { aggregateVariants, scored } from './aggregate.js';
import { buildSummary, plan } from './eval.js';
import type { Row } from '../datasets/types.js';
import { createModel } from '../models/registry.js';
import type { ModelDescription, ModelMeta } from '../models/types.js';

/**
 * A model's meta as a single run records it, after prepare(): a baseline's fitted vocabulary or label.
 * A shard's summary may be missing (killed) or partial, so its metadata is not copied; baselines are
 * cheap to fit again, and the other kinds learn nothing from the train split.
 */
async function fittedMeta(m: ModelDescription, train: readonly Row[], labels: readonly string[], seed: number): Promise<ModelMeta> {
  if (m.meta.kind !== 'baseline') return m.meta;
  const model = await createModel(m.spec);
  try {
    await model.prepare?.({ train, labels, seed });
    return model.meta();
  } finally {
    await model.close?.();
  }
}

/**
 * Combines the run directories of `--shard I/N` runs into one, with the summary a single-machine run
 * would have written. Refuses shards made from different inputs, and reports missing or overlapping
 * shards rather than quietly producing a partial leaderboard.
 */
export async function mergeRuns(dirs: readonly string[], out: string): Promise<{ dir: string; summary: Summary }> {
  if (dirs.length === 0) throw new UserError('merge: name at least one shard run directory');
  const manifests = dirs.map((d) => readManifest(d));
  const first = manifests[0]!;
  manifests.forEach((m, i) => {
    const diffs = manifestDifferences(first, m);
    if (diffs.length > 0) throw new UserError(`merge: ${dirs[i]} was made from different inputs than ${dirs[0]}:\n  ${diffs.join('\n  ')}`);
    if ((m.shard?.count ?? 1) !== (first.shard?.count ?? 1)) {
      throw new UserError(`merge: ${dirs[i]} is shard ${m.shard?.index}/${m.shard?.count}, but ${dirs[0]} is one of ${first.shard?.count ?? 1}`);
    }
  });
  const count = first.shard?.count ?? 1;
  const seen = new Map<number, string>();
  manifests.forEach((m, i) => {
    const index = m.shard?.index ?? 0;
    if (seen.has(index)) throw new UserError(`merge: overlapping shards: ${seen.get(index)} and ${dirs[i]} are both shard ${index}/${count}`);
    seen.set(index, dirs[i]!);
  });
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new UserError(`merge: missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}`);

  const p = await plan({
    suite: first.suite.file,
    models: first.models.map((m) => m.spec),
    dataset: first.dataset.spec,
    limit: first.limit ?? undefined,
    seed: first.seed,
    lenient: first.lenient,
    maxTextBytes: first.max_text_bytes,
    sampling: first.sampling,
    concurrency: 1,
    out,
  });
  const diffs = manifestDifferences(first, p.manifest);
  if (diffs.length > 0) throw new UserError(`merge: the suite, dataset or models changed since the shards ran:\n  ${diffs.join('\n  ')}`);

  // Shards are streamed twice (check, then copy) so their texts are never all in memory.
  const keys = new Set<string>();
  const samples: ScoredSample[] = [];
  for (const d of dirs) {
    // A torn line is a shard killed mid-write: merging would quietly drop its sample.
    for await (const r of streamSamples(join(d, RUN_FILES.samples), { refuseTorn: true })) {
      const key = sampleKey(r.model, r.id, r.setting, r.repeat);
      if (keys.has(key)) throw new UserError(`merge: sample ${r.id} of model ${r.model} appears in more than one shard`);
      keys.add(key);
      samples.push(scored(r));
    }
  }
  const shardSummaries = dirs.map((d) => {
    if (!existsSync(join(d, RUN_FILES.summary))) return undefined;
    const { summary } = readSummary(d);
    if (summary.schema !== SUMMARY_SCHEMA) throw new UserError(`merge: ${d} is a throughput run, not a shard of an eval`);
    return summary;
  });
  const expected = p.models.length * p.evalRows.count;
  const paths = openRunDir({ out, defaultName: 'merged', kind: 'eval', command: 'merge', flag: '--out', existing: 'refuse' });
  let finished = false;
  try {
    writeManifest(paths.dir, { ...first, shard: null });
    const writer = new SampleWriter(paths.samples);
    try {
      for (const d of dirs) for await (const r of streamSamples(join(d, RUN_FILES.samples), { onRepeats: () => undefined })) writer.write(r);
    } finally {
      writer.close();
    }
    const labels = p.suite.spec.labels ?? [];
    const models: ModelResult[] = [];
    for (const m of p.models) {
      models.push(...aggregateVariants(await fittedMeta(m, p.trainRows, labels, first.seed), samples.filter((r) => r.model === m.spec), p.suite.spec.task === 'classification' ? labels : null, first.seed));
    }
    const starts = shardSummaries.flatMap((s) => (s ? [s.meta.started_at] : [])).sort();
    const summary = buildSummary({ p, complete: samples.length === expected && shardSummaries.every((s) => s?.complete), started: new Date(starts[0] ?? Date.now()), models });
    writeSummary(paths.summary, summary);
    finished = true;
    return { dir: paths.dir, summary };
  } finally {
    paths.release({ failed: !finished });
  }
}
