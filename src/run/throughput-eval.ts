import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { createModel, type ModelContext } from '../models/registry.js';
import type { Model } from '../models/types.js';
import { writeSummary } from '../results/run-dir.js';
import { THROUGHPUT_SCHEMA, type ThroughputSummary } from '../results/types.js';
import type { LoadedSuite } from '../suites/schema.js';
import { probeBandwidth } from '../throughput/bandwidth.js';
import { measureThroughput, type ThroughputSettings } from '../throughput/run.js';
import { emobenchVersion, gitCommit, hostInfo } from '../util/meta.js';

export interface ThroughputEvalOptions {
  suite: LoadedSuite;
  models: string[];
  seed: number;
  out: string;
  overrides: Partial<ThroughputSettings>;
  modelContext?: ModelContext;
  log: (line: string) => void;
}

/** The throughput suite: timed generations and concurrent requests instead of scored samples. */
export async function runThroughputEval(o: ThroughputEvalOptions): Promise<{ dir: string; summary: ThroughputSummary }> {
  const spec = o.suite.spec;
  const settings = { ...spec.throughput!, slo: {}, ...o.overrides } as ThroughputSettings;
  const specs = o.models.length > 0 ? o.models : spec.default_models;
  const models: Model[] = [];
  for (const s of specs) models.push(await createModel(s, o.modelContext));
  const idle = models.filter((m) => !m.timedGenerate && !m.chat);
  if (idle.length > 0) throw new UserError(`model ${idle[0]!.spec} generates no text, so it has no throughput to measure`);
  const dir = resolve(o.out);
  if (existsSync(join(dir, 'summary.json'))) throw new UserError(`${dir} already holds a run; choose another --out`);
  mkdirSync(dir, { recursive: true });
  const started = new Date();
  // One probe for the whole run: it allocates 512 MB and should not run per model.
  const bandwidth = models.some((m) => m.footprint) ? probeBandwidth() : undefined;
  const results: ThroughputSummary['models'] = [];
  try {
    for (const m of models) {
      o.log(`${m.spec}:`);
      results.push({ spec: m.spec, meta: m.meta(), throughput: await measureThroughput(m, settings, o.seed, o.log, bandwidth) });
    }
  } finally {
    for (const m of models) await m.close?.();
  }
  const summary: ThroughputSummary = {
    schema: THROUGHPUT_SCHEMA,
    suite: spec.name,
    task: 'throughput',
    complete: true,
    settings,
    meta: {
      emobench: emobenchVersion(),
      git_commit: gitCommit(),
      host: hostInfo(),
      suite: { name: spec.name, file: o.suite.file, sha256: o.suite.sha256 },
      seed: o.seed,
      started_at: started.toISOString(),
      ended_at: new Date().toISOString(),
    },
    models: results,
  };
  writeSummary(join(dir, 'summary.json'), summary);
  return { dir, summary };
}
