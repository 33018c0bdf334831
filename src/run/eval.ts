import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadDataset, parseDatasetSpec } from '../datasets/load.js';
import type { DatasetStats, Row } from '../datasets/types.js';
import { UserError } from '../errors.js';
import { createModel, describeLoaded, describeModel, type ModelContext } from '../models/registry.js';
import type { Model, ModelDescription, Sampling } from '../models/types.js';
import { fill } from '../prompts/render.js';
import { promptBuilder } from '../prompts/shots.js';
import { answerer } from '../extract/answer.js';
import { estimateTokens } from '../models/openai.js';
import { manifestDifferences, MANIFEST_SCHEMA, readManifest, writeManifest, type RunManifest, type Shard } from '../results/manifest.js';
import { streamSamples } from '../results/read-samples.js';
import { prepareRunDir, writeSummary } from '../results/run-dir.js';
import { SUMMARY_SCHEMA, type ModelResult, type ScoredSample, type Summary } from '../results/types.js';
import { loadSuite } from '../suites/load.js';
import type { LoadedSuite, Suite } from '../suites/schema.js';
import { emobenchVersion, gitCommit, hostInfo } from '../util/meta.js';
import { aggregateVariants, scored } from './aggregate.js';
import { scanRows, type EvalRows } from './rows.js';
import { runClassification } from './runner.js';

export interface EvalOptions {
  suite: string;
  models: string[];
  dataset?: string;
  limit?: number;
  seed: number;
  shard?: Shard;
  concurrency: number;
  /** Run directory; created if missing. */
  out: string | ((suite: string) => string);
  lenient: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, model: string) => void;
  /** Extra checks of the user's input against the suite (gates), run before anything is written. */
  validate?: (suite: Suite) => void;
  /** Decoding settings for chat models; `temperatures` and `repeats` make a decoding sweep. */
  sampling?: Decoding;
  maxCost?: number;
  modelContext?: ModelContext;
}

export type Decoding = Sampling & { temperatures?: number[]; repeats?: number; shots?: number; cot?: boolean };

export interface EvalResult {
  dir: string;
  summary: Summary;
  /** Samples carried over from an earlier attempt (resume). */
  resumed: number;
}

/** What a run is made of, checked; nothing is written yet. Its models are described, not loaded. */
export interface Plan {
  suite: LoadedSuite;
  dataset: DatasetStats;
  models: ModelDescription[];
  manifest: RunManifest;
  /** Streamed from the dataset file on each pass; only their count is held. */
  evalRows: EvalRows;
  trainRows: Row[];
  trainSource: string;
}

/** A plan with its models loaded, ready to run. */
export interface Prepared extends Plan {
  loaded: Model[];
}

/**
 * suite spec → dataset rows → models → samples.jsonl → summary.json. Everything that can be wrong
 * with the user's input is checked before the run directory is created, so a bad input leaves no
 * half-made results behind.
 */
export async function runEval(opts: EvalOptions): Promise<EvalResult> {
  const p = await prepare(opts);
  const dir = typeof opts.out === 'string' ? opts.out : opts.out(p.suite.spec.name);
  if (existsSync(dir) && existsSync(`${dir}/run.json`)) {
    throw new UserError(`${dir} already holds a run: use --resume ${dir} to continue it, or choose another --out`);
  }
  const paths = prepareRunDir(dir);
  writeManifest(paths.dir, p.manifest);
  return execute(p, paths, [], opts);
}

/** Continue a run directory: its plan comes from run.json; finished (model, sample) pairs are kept. */
export async function resumeEval(
  dir: string,
  opts: Pick<EvalOptions, 'concurrency' | 'signal' | 'onProgress' | 'validate' | 'modelContext' | 'maxCost'> & { force: boolean },
): Promise<EvalResult> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--resume ${dir}: no such run directory`);
  const recorded = readManifest(dir);
  const runOpts: EvalOptions = {
    suite: recorded.suite.file,
    models: recorded.models.map((m) => m.spec),
    dataset: recorded.dataset.spec,
    limit: recorded.limit ?? undefined,
    seed: recorded.seed,
    shard: recorded.shard ?? undefined,
    lenient: recorded.lenient,
    sampling: recorded.sampling,
    modelContext: opts.modelContext,
    concurrency: opts.concurrency,
    out: dir,
    signal: opts.signal,
    onProgress: opts.onProgress,
    validate: opts.validate,
    maxCost: opts.maxCost,
  };
  const p = await prepare(runOpts);
  const diffs = manifestDifferences(recorded, p.manifest);
  if (diffs.length > 0 && !opts.force) {
    throw new UserError(`cannot resume ${dir}: the run's inputs changed since it started:\n  ${diffs.join('\n  ')}\n(--force resumes anyway, mixing old and new samples)`);
  }
  const paths = prepareRunDir(dir);
  const wanted = new Set<string>();
  for await (const row of p.evalRows.read()) wanted.add(row.id);
  const specs = new Set(p.models.map((m) => m.spec));
  const done: ScoredSample[] = [];
  for await (const r of streamSamples(paths.samples, { repair: true })) if (specs.has(r.model) && wanted.has(r.id)) done.push(scored(r));
  const result = await execute(p, paths, done, runOpts);
  return { ...result, resumed: done.length };
}

/** The settings × repeats a run sends: one setting unless --temperature lists several. */
function decodingPlan(d: Decoding): { settings: Sampling[]; repeats: number } {
  const base: Sampling = Object.fromEntries(
    Object.entries({ temperature: d.temperature, top_p: d.top_p, max_tokens: d.max_tokens, seed: d.seed, stop: d.stop }).filter(([, v]) => v !== undefined),
  );
  const settings = d.temperatures && d.temperatures.length > 0 ? d.temperatures.map((temperature) => ({ ...base, temperature })) : [base];
  return { settings, repeats: d.repeats ?? 1 };
}

export interface DryRunRow {
  model: string;
  requests: number;
  prompt_tokens: number;
  max_output_tokens: number;
  cost_usd: number | null;
}

/** What a run would send, without sending it: requests, estimated tokens and cost per model. */
export async function dryRun(opts: EvalOptions): Promise<DryRunRow[]> {
  const p = await plan(opts);
  const labels = p.suite.spec.labels ?? [];
  const outputPerRequest = opts.sampling?.max_tokens ?? 16;
  const out: DryRunRow[] = [];
  for (const m of p.models) {
    if (m.classifies || !m.chats) {
      out.push({ model: m.spec, requests: 0, prompt_tokens: 0, max_output_tokens: 0, cost_usd: 0 });
      continue;
    }
    const prompts = promptBuilder(p.suite.spec.prompt!, p.trainRows, { labels, shots: opts.sampling?.shots, cot: opts.sampling?.cot ?? false, seed: opts.seed });
    const { settings, repeats } = decodingPlan(opts.sampling ?? {});
    const times = settings.length * repeats;
    let perPass = 0;
    for await (const r of p.evalRows.read()) perPass += estimateTokens(prompts(r).map((x) => x.content).join('\n'));
    const prompt = times * perPass;
    const usage = { prompt_tokens: prompt, completion_tokens: outputPerRequest * p.evalRows.count * times };
    out.push({ model: m.spec, requests: p.evalRows.count * times, prompt_tokens: prompt, max_output_tokens: usage.completion_tokens, cost_usd: m.cost?.(usage) ?? null });
  }
  return out;
}

/** The run's plan for merge and --dry-run: models described (describeModel), their weights not loaded. */
export function plan(opts: EvalOptions): Promise<Plan> {
  return planWith(opts, (spec) => describeModel(spec, opts.modelContext));
}

/** The plan with its models loaded, for a run; a failed check closes what was loaded. */
export async function prepare(opts: EvalOptions): Promise<Prepared> {
  const loaded: Model[] = [];
  try {
    const p = await planWith(opts, async (spec) => {
      const m = await createModel(spec, opts.modelContext);
      loaded.push(m);
      return describeLoaded(m);
    });
    return { ...p, loaded };
  } catch (e) {
    for (const m of loaded) await m.close?.();
    throw e;
  }
}

async function planWith(opts: EvalOptions, open: (spec: string) => Promise<ModelDescription>): Promise<Plan> {
  const suite = await loadSuite(opts.suite);
  const spec = suite.spec;
  opts.validate?.(spec);
  if (spec.task === 'throughput' || !spec.dataset) {
    throw new UserError(`suite "${spec.name}" has task "${spec.task}", which \`eval\` runs through its own path; this one cannot`);
  }
  const ds = spec.dataset;
  if (spec.prompt) {
    // Catch a bad placeholder now rather than on the first chat request.
    for (const t of [spec.prompt.system, spec.prompt.user]) if (t) fill(t, { text: '', labels: '' }, `${suite.file}: prompt`);
  }
  const datasetSpec = opts.dataset ?? ds.path;
  const file = parseDatasetSpec(datasetSpec, opts.dataset ? process.cwd() : dirname(suite.file));
  const { dataset, evalRows, trainRows, splits } = await scanRows(file, ds, { labels: spec.labels, lenient: opts.lenient }, opts.seed, opts.limit, opts.shard);
  if (evalRows.count === 0) {
    throw new UserError(`${dataset.path}: no rows with split "${ds.split}" to evaluate${opts.shard ? ` in shard ${opts.shard.index}/${opts.shard.count}` : ''} (found splits: ${splits.join(', ')})`);
  }
  let trainSource = dataset.path;
  const trainFrom = ds.train_path ?? (opts.dataset ? ds.path : undefined);
  if (trainFrom && trainRows.length === 0) {
    // A test-only set (a public file, a parallel set): baselines learn from the suite's train file,
    // and the summary says which.
    const own = await loadDataset(trainFrom, { labels: spec.labels }, dirname(suite.file));
    trainRows.push(...own.rows.filter((r) => r.split === ds.train_split));
    trainSource = own.path;
  }
  const specs = opts.models.length > 0 ? opts.models : spec.default_models;
  const dupes = specs.filter((s, i) => specs.indexOf(s) !== i);
  if (dupes.length > 0) throw new UserError(`model ${dupes[0]} is listed twice`);
  const models: ModelDescription[] = [];
  for (const s of specs) models.push(await open(s));
  const chatOnly = models.filter((m) => !m.classifies && m.chats);
  if (spec.task === 'generation') {
    const mute = models.find((m) => !m.chats);
    if (mute) throw new UserError(`model ${mute.spec} can only pick among labels; suite "${spec.name}" needs free-form answers (use a generative model, e.g. scratch?head=lm or openai:…)`);
  }
  if (chatOnly.length > 0 && !spec.prompt) {
    throw new UserError(`${suite.file}: suite has no "prompt", which chat models (${chatOnly.map((m) => m.spec).join(', ')}) need`);
  }
  const manifest: RunManifest = {
    schema: MANIFEST_SCHEMA,
    suite: { name: spec.name, file: suite.file, sha256: suite.sha256 },
    dataset: { spec: opts.dataset ? `${dataset.format}:${dataset.path}` : undefined, path: dataset.path, sha256: dataset.sha256 },
    models: models.map((m) => ({ spec: m.spec, config_hash: m.meta.config_hash })),
    seed: opts.seed,
    limit: opts.limit ?? null,
    shard: opts.shard ?? null,
    lenient: opts.lenient,
    sampling: opts.sampling ?? {},
  };
  return { suite, dataset, models, manifest, evalRows, trainRows, trainSource };
}

async function execute(p: Prepared, paths: ReturnType<typeof prepareRunDir>, done: readonly ScoredSample[], opts: EvalOptions): Promise<EvalResult> {
  const spec = p.suite.spec;
  const started = new Date();
  try {
    const { records, complete, stoppedBy } = await runClassification(
      {
        suite: spec,
        models: p.loaded,
        seed: opts.seed,
        concurrency: opts.concurrency,
        samplesPath: paths.samples,
        done,
        signal: opts.signal,
        onProgress: opts.onProgress,
        ...decodingPlan(opts.sampling ?? {}),
        answerer: answerer(spec.extract?.type ?? 'label', spec.labels, spec.extract?.aliases),
        promptFor: spec.prompt
          ? promptBuilder(spec.prompt, p.trainRows, { labels: spec.labels ?? [], shots: opts.sampling?.shots, cot: opts.sampling?.cot ?? false, seed: opts.seed })
          : () => [],
        maxCost: opts.maxCost,
      },
      p.evalRows,
      p.trainRows,
    );
    const summary = buildSummary({
      p,
      complete,
      stoppedBy: stoppedBy ?? (opts.signal?.aborted ? 'signal' : undefined),
      started,
      models: p.loaded.flatMap((m) => aggregateVariants(m.meta(), records.get(m.spec) ?? [], spec.task === 'classification' ? (spec.labels ?? []) : null, opts.seed)),
    });
    writeSummary(paths.summary, summary);
    return { dir: paths.dir, summary, resumed: 0 };
  } finally {
    for (const m of p.loaded) await m.close?.();
  }
}

export function buildSummary(a: { p: Plan; complete: boolean; stoppedBy?: string; started: Date; models: ModelResult[] }): Summary {
  const { suite, dataset, manifest } = a.p;
  return {
    schema: SUMMARY_SCHEMA,
    suite: suite.spec.name,
    task: suite.spec.task,
    labels: suite.spec.labels ?? [],
    complete: a.complete,
    ...(a.complete || !a.stoppedBy ? {} : { stopped_by: a.stoppedBy }),
    meta: {
      emobench: emobenchVersion(),
      git_commit: gitCommit(),
      host: hostInfo(),
      suite: { name: suite.spec.name, file: suite.file, sha256: suite.sha256 },
      dataset: {
        path: dataset.path,
        format: dataset.format,
        sha256: dataset.sha256,
        rows: dataset.rows,
        eval_rows: a.p.evalRows.count,
        train_rows: a.p.trainRows.length,
        train_source: a.p.trainSource,
        skipped: dataset.skipped.length,
        dropped_by_mapping: dataset.dropped,
      },
      seed: manifest.seed,
      limit: manifest.limit,
      shard: manifest.shard,
      started_at: a.started.toISOString(),
      ended_at: new Date().toISOString(),
    },
    models: a.models,
    skipped_rows: dataset.skipped,
  };
}
