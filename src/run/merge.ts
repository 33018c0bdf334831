import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { manifestDifferences, readManifest, writeManifest } from '../results/manifest.js';
import { streamSamples } from '../results/read-samples.js';
import { prepareRunDir, SampleWriter, writeSummary } from '../results/run-dir.js';
import type { ScoredSample, Summary } from '../results/types.js';
import { aggregateVariants, scored } from './aggregate.js';
import { sampleKey } from './runner.js';
import { buildSummary, plan } from './eval.js';

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
    for await (const r of streamSamples(join(d, 'samples.jsonl'))) {
      const key = sampleKey(r.model, r.id, r.setting, r.repeat);
      if (keys.has(key)) throw new UserError(`merge: sample ${r.id} of model ${r.model} appears in more than one shard`);
      keys.add(key);
      samples.push(scored(r));
    }
  }
  const shardSummaries = dirs.map((d) => {
    const path = join(d, 'summary.json');
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Summary) : undefined;
  });
  const expected = p.models.length * p.evalRows.count;
  const paths = prepareRunDir(out);
  if (existsSync(join(paths.dir, 'run.json'))) throw new UserError(`merge: ${paths.dir} already holds a run`);
  writeManifest(paths.dir, { ...first, shard: null });
  const writer = new SampleWriter(paths.samples);
  const labels = p.suite.spec.labels ?? [];
  try {
    for (const d of dirs) for await (const r of streamSamples(join(d, 'samples.jsonl'))) writer.write(r);
  } finally {
    writer.close();
  }
  const models = p.models.map((m) => {
    // The meta a shard recorded after preparing its model (a baseline's fitted vocabulary, say).
    const meta = shardSummaries.map((s) => s?.models.find((x) => x.spec === m.spec)?.meta).find((x) => x) ?? m.meta;
    return aggregateVariants(meta, samples.filter((r) => r.model === m.spec), p.suite.spec.task === 'classification' ? labels : null, first.seed);
  }).flat();
  const starts = shardSummaries.flatMap((s) => (s ? [s.meta.started_at] : [])).sort();
  const summary = buildSummary({ p, complete: samples.length === expected && shardSummaries.every((s) => s?.complete), started: new Date(starts[0] ?? Date.now()), models });
  writeSummary(paths.summary, summary);
  return { dir: paths.dir, summary };
}
