import { UserError } from '../errors.js';
import { createModel, type ModelContext } from '../models/registry.js';
import type { Model } from '../models/types.js';
import { openRunDir } from '../results/run-dir.js';
import { writeSummary } from '../results/summary.js';
import { THROUGHPUT_SCHEMA, type ThroughputResult, type ThroughputSettings, type ThroughputSummary } from '../results/types.js';
import type { LoadedSuite } from '../suites/schema.js';
import { probeBandwidth } from '../throughput/bandwidth.js';
import { measureThroughput } from '../throughput/run.js';
import { emobenchVersion, gitCommit, hostInfo } from '../util/meta.js';
import { preflight } from './eval.js';

export interface ThroughputEvalOptions {
  suite: LoadedSuite;
  models: string[];
  seed: number;
  /** Run directory; undefined: a new results/throughput-<timestamp>. */
  out: string | undefined;
  overrides: Partial<ThroughputSettings>;
  modelContext?: ModelContext;
  log: (line: string) => void;
  /** Check remote models' endpoints before anything is written (default on). */
  preflight?: boolean;
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
  let run;
  try {
    if (o.preflight !== false) await preflight(models);
    run = openRunDir({ out: o.out, defaultName: spec.name, kind: 'throughput', command: 'eval (throughput)', flag: '--out', existing: 'refuse' });
  } catch (e) {
    for (const m of models) await m.close?.();
    throw e;
  }
  const started = new Date();
  // One probe for the whole run: it allocates 512 MB and should not run per model.
  const bandwidth = models.some((m) => m.footprint) ? probeBandwidth() : undefined;
  const results: ThroughputSummary['models'] = [];
  const summaryOf = (complete: boolean, error?: string): ThroughputSummary => ({
    schema: THROUGHPUT_SCHEMA,
    suite: spec.name,
    task: 'throughput',
    complete,
    ...(error !== undefined ? { error } : {}),
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
  });
  // Each finished cell rewrites summary.json (complete: false), so a crash or kill keeps every figure
  // measured so far; a failure is recorded in the summary before it propagates.
  try {
    for (const m of models) {
      o.log(`${m.spec}:`);
      const entry = { spec: m.spec, meta: m.meta(), throughput: { decode_tps: null, grid: [], serving: [], roofline: null } as ThroughputResult };
      results.push(entry);
      entry.throughput = await measureThroughput(m, settings, o.seed, o.log, bandwidth, (partial) => {
        entry.throughput = partial;
        writeSummary(run.summary, summaryOf(false));
      });
    }
  } catch (e) {
    writeSummary(run.summary, summaryOf(false, e instanceof Error ? e.message : String(e)));
    o.log(`stopped by an error; the figures measured so far are in ${run.summary}`);
    run.release();
    throw e;
  } finally {
    for (const m of models) await m.close?.();
  }
  const summary = summaryOf(true);
  writeSummary(run.summary, summary);
  run.release();
  return { dir: run.dir, summary };
}
