import { dirname } from 'node:path';
import { loadDataset } from '../datasets/load.js';
import { UserError } from '../errors.js';
import { createModel } from '../models/registry.js';
import type { Model } from '../models/types.js';
import { prepareRunDir, writeSummary } from '../results/run-dir.js';
import { SUMMARY_SCHEMA, type Summary } from '../results/types.js';
import { loadSuite } from '../suites/load.js';
import { fill } from '../prompts/render.js';
import { emobenchVersion, gitCommit, hostInfo } from '../util/meta.js';
import { aggregateModel } from './aggregate.js';
import { runClassification, splitRows } from './runner.js';

export interface EvalOptions {
  suite: string;
  models: string[];
  dataset?: string;
  limit?: number;
  seed: number;
  concurrency: number;
  /** Run directory; created if missing. */
  out: string | ((suite: string) => string);
  lenient: boolean;
  onProgress?: (done: number, total: number, model: string) => void;
}

export interface EvalResult {
  dir: string;
  summary: Summary;
}

/**
 * suite spec → dataset rows → models → samples.jsonl → summary.json. Everything that can be wrong
 * with the user's input is checked before the run directory is created, so a bad input leaves no
 * half-made results behind.
 */
export async function runEval(opts: EvalOptions): Promise<EvalResult> {
  const suite = await loadSuite(opts.suite);
  const spec = suite.spec;
  if (spec.task !== 'classification') {
    throw new UserError(`suite "${spec.name}" has task "${spec.task}", which this version of emobench cannot run yet`);
  }
  if (spec.prompt) {
    // Catch a bad placeholder now rather than on the first chat request.
    for (const t of [spec.prompt.system, spec.prompt.user]) if (t) fill(t, { text: '', labels: '' }, `${suite.file}: prompt`);
  }
  const datasetSpec = opts.dataset ?? spec.dataset.path;
  const dataset = await loadDataset(datasetSpec, { labels: spec.labels, lenient: opts.lenient }, opts.dataset ? process.cwd() : dirname(suite.file));
  const { evalRows, trainRows } = splitRows(spec, dataset, opts.seed, opts.limit);
  let trainSource = dataset.path;
  if (opts.dataset && trainRows.length === 0) {
    // A public file usually has no train split of ours: baselines then learn from the suite's own
    // train split, and the summary says so.
    const own = await loadDataset(spec.dataset.path, { labels: spec.labels }, dirname(suite.file));
    trainRows.push(...splitRows(spec, own, opts.seed).trainRows);
    trainSource = own.path;
  }
  if (evalRows.length === 0) {
    throw new UserError(`${dataset.path}: no rows with split "${spec.dataset.split}" to evaluate (found splits: ${[...new Set(dataset.rows.map((r) => r.split))].join(', ')})`);
  }
  const specs = opts.models.length > 0 ? opts.models : spec.default_models;
  const models: Model[] = [];
  for (const s of specs) models.push(await createModel(s));
  const dupes = specs.filter((s, i) => specs.indexOf(s) !== i);
  if (dupes.length > 0) throw new UserError(`model ${dupes[0]} is listed twice`);

  const paths = prepareRunDir(typeof opts.out === 'string' ? opts.out : opts.out(spec.name));
  const started = new Date();
  try {
    const records = await runClassification(
      { suite: spec, models, seed: opts.seed, concurrency: opts.concurrency, samplesPath: paths.samples, onProgress: opts.onProgress },
      evalRows,
      trainRows,
    );
    const summary: Summary = {
      schema: SUMMARY_SCHEMA,
      suite: spec.name,
      task: spec.task,
      labels: spec.labels ?? [],
      complete: true,
      meta: {
        emobench: emobenchVersion(),
        git_commit: gitCommit(),
        host: hostInfo(),
        suite: { name: spec.name, file: suite.file, sha256: suite.sha256 },
        dataset: {
          path: dataset.path,
          format: dataset.format,
          sha256: dataset.sha256,
          rows: dataset.rows.length,
          eval_rows: evalRows.length,
          train_rows: trainRows.length,
          train_source: trainSource,
          skipped: dataset.skipped.length,
          dropped_by_mapping: dataset.dropped,
        },
        seed: opts.seed,
        limit: opts.limit ?? null,
        started_at: started.toISOString(),
        ended_at: new Date().toISOString(),
      },
      models: models.map((m) => aggregateModel(m.meta(), records.get(m.spec) ?? [], spec.labels ?? [], opts.seed)),
      skipped_rows: dataset.skipped,
    };
    writeSummary(paths.summary, summary);
    return { dir: paths.dir, summary };
  } finally {
    for (const m of models) await m.close?.();
  }
}
