import { setImmediate } from 'node:timers/promises';
import type { Row } from '../datasets/types.js';
import type { ChatResult, ClassifyOutput, Model, Sampling } from '../models/types.js';
import type { Answerer } from '../extract/answer.js';
import type { ChatMessage } from '../prompts/render.js';
import { SampleWriter } from '../results/run-dir.js';
import { sampleKey, type SampleRecord, type ScoredSample } from '../results/types.js';
import type { Suite } from '../suites/schema.js';
import { redact, redactAnswer } from '../util/redact.js';
import { scored } from './aggregate.js';
import type { EvalRows } from './rows.js';

/** How long requests in flight may take to finish after a stop (Ctrl-C, SIGTERM, --max-cost). */
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;

/** Rows per classify() call: large enough to amortise per-call cost, small enough for steady progress. */
const BATCH = 32;

export interface RunPlan {
  suite: Suite;
  models: Model[];
  seed: number;
  concurrency: number;
  samplesPath: string;
  /** Samples already on disk (resume): these (model, id) pairs are not run again. */
  done: readonly ScoredSample[];
  /**
   * Stops scheduling new batches; batches in flight finish and are written. A chat request still
   * running `stopTimeoutMs` after it is cut off and its sample left undone, so a resume runs it again.
   */
  signal?: AbortSignal;
  stopTimeoutMs?: number;
  /** Decoding settings for chat models: one, or several for a decoding sweep. */
  settings: Sampling[];
  /** Times each chat request is repeated per setting (answer consistency). */
  repeats: number;
  /** Turns a model's text into an answer and judges it (the suite's extract type). */
  answerer: Answerer;
  /** The chat messages for a row (template, k-shot examples, chain of thought). */
  promptFor: (row: Row) => ChatMessage[];
  /** Stop scheduling once this many USD have been spent (chat models with prices). */
  maxCost?: number;
  onProgress?: (done: number, total: number, model: string) => void;
  /** Told of every failed sample as it is written (the CLI prints each model's first). */
  onSampleError?: (model: Model, sample: SampleRecord) => void;
}

/** One unit of work: a row, and for chat models the decoding setting and repeat it is sent with. */
interface Job {
  row: Row;
  variant?: Variant;
}

interface Variant {
  sampling: Sampling;
  repeat: number;
  setting?: string;
}

/**
 * Runs every model over the evaluation rows it has not finished yet and appends one SampleRecord per
 * (model, row) to samples.jsonl as soon as it is known. Rows are streamed from the file once per model
 * (and decoding variant), and only a few batches are in flight, so memory holds texts of those batches
 * alone. Returns every model's samples without their texts (earlier and new) and whether every row
 * was covered.
 */
export async function runClassification(
  plan: RunPlan,
  evalRows: EvalRows,
  trainRows: Row[],
): Promise<{ records: Map<string, ScoredSample[]>; complete: boolean; stoppedBy?: string }> {
  const labels = plan.suite.labels ?? [];
  const writer = new SampleWriter(plan.samplesPath);
  const records = new Map<string, ScoredSample[]>(plan.models.map((m) => [m.spec, []]));
  const finished = new Set<string>();
  for (const r of plan.done) {
    records.get(r.model)?.push(r);
    finished.add(sampleKey(r.model, r.id, r.setting, r.repeat));
  }
  const sweep = plan.settings.length > 1 || plan.repeats > 1;
  const variants: Variant[] = plan.settings.flatMap((sampling) => Array.from({ length: plan.repeats }, (_, repeat) => ({ sampling, repeat, setting: sweep ? settingName(sampling) : undefined })));
  const total = evalRows.count * plan.models.reduce((a, m) => a + (m.classify ? 1 : variants.length), 0);
  let done = plan.done.length;
  let complete = true;
  let spent = plan.done.reduce((a, r) => a + (r.cost_usd ?? 0), 0);
  let budgetHit = false;
  const overBudget = () => (budgetHit ||= plan.maxCost !== undefined && spent >= plan.maxCost);
  const stopping = () => Boolean(plan.signal?.aborted) || overBudget();
  // Requests in flight get their own signal: a stop lets them finish, up to the stop timeout.
  const cutoff = new AbortController();
  const onStop = () => setTimeout(() => cutoff.abort(), plan.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS).unref();
  if (plan.signal?.aborted) cutoff.abort();
  else plan.signal?.addEventListener('abort', onStop, { once: true });
  try {
    for (const model of plan.models) {
      const isDone = (j: Job) => finished.has(j.variant ? sampleKey(model.spec, j.row.id, j.variant.setting, j.variant.setting ? j.variant.repeat : undefined) : sampleKey(model.spec, j.row.id));
      // Classifiers take batches; chat models take one request per row (concurrency is per request).
      const batches = batched(pendingJobs(evalRows, model.classify ? [undefined] : variants, isDone), model.classify ? BATCH : 1);
      const pool = boundedPool(plan.concurrency);
      // Prepared (trained) even with no work left, as on a resume: its metadata (a baseline's
      // vocabulary, its label) goes into the summary, which must equal an uninterrupted run's.
      if (!plan.signal?.aborted) await model.prepare?.({ train: trainRows, labels, seed: plan.seed });
      try {
        for await (const batch of batches) {
          if (pool.failed) break;
          if (stopping()) {
            complete = false;
            break;
          }
          await pool.run(async () => {
            // Local models classify synchronously; yielding to the event loop between batches is
            // what lets a SIGINT/SIGTERM handler run before the whole suite is done.
            await setImmediate();
            if (stopping()) {
              complete = false;
              return;
            }
            const recs = model.classify
              ? await classifyBatch(model, batch.map((j) => j.row), labels, plan.suite.name)
              : [await chatOne(model, batch[0]!.row, plan, batch[0]!.variant!, cutoff.signal)];
            for (const rec of recs) {
              if (rec === undefined) {
                complete = false;
                continue;
              }
              const safe = withoutSecrets(rec);
              writer.write(safe);
              if (safe.error !== null) plan.onSampleError?.(model, safe);
              records.get(model.spec)!.push(scored(rec));
              spent += rec.cost_usd ?? 0;
            }
            done += recs.filter((r) => r !== undefined).length;
            plan.onProgress?.(done, total, model.spec);
          });
        }
      } finally {
        // In-flight batches finish and are written before the writer closes, whatever stopped the loop.
        await pool.drain();
      }
      if (!complete) break;
    }
  } finally {
    plan.signal?.removeEventListener('abort', onStop);
    writer.close();
  }
  return { records, complete: complete && !plan.signal?.aborted, stoppedBy: budgetHit ? `budget (--max-cost ${plan.maxCost} USD reached)` : undefined };
}

/** What a model or server sent back may quote credentials (an echoed Authorization header). */
function withoutSecrets(rec: SampleRecord): SampleRecord {
  return { ...rec, output: redactAnswer(rec.output), error: rec.error === null ? null : redact(rec.error) };
}

/** A classifier answers once per row; a chat model once per row, setting and repeat (setting-major). */
async function* pendingJobs(evalRows: EvalRows, variants: readonly (Variant | undefined)[], isDone: (j: Job) => boolean): AsyncGenerator<Job> {
  for (const variant of variants) {
    for await (const row of evalRows.read()) {
      const job = variant ? { row, variant } : { row };
      if (!isDone(job)) yield job;
    }
  }
}

async function* batched<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * At most `concurrency` tasks at once. run() resolves once the task has started (after waiting for a
 * free slot), so the caller reads no further ahead of the work than that; drain() waits for the rest
 * and rethrows the first failure. Written here rather than with p-limit: p-limit accepts every task
 * at once and queues it, so the streamed rows would all be read into its queue; this pool pushes back.
 */
export function boundedPool(concurrency: number): { run(task: () => Promise<void>): Promise<void>; readonly failed: boolean; drain(): Promise<void> } {
  const running = new Set<Promise<void>>();
  const failures: unknown[] = [];
  return {
    async run(task) {
      while (running.size >= Math.max(1, concurrency)) await Promise.race(running);
      const p: Promise<void> = task()
        .catch((e: unknown) => void failures.push(e))
        .finally(() => running.delete(p));
      running.add(p);
    },
    get failed() {
      return failures.length > 0;
    },
    async drain() {
      while (running.size > 0) await Promise.all(running);
      if (failures.length > 0) throw failures[0];
    },
  };
}

/** "t=0.4 p=0.9": a decoding setting's name in results. */
export function settingName(s: Sampling): string {
  return [`t=${s.temperature ?? 'default'}`, ...(s.top_p !== undefined ? [`p=${s.top_p}`] : [])].join(' ');
}

/**
 * One chat request for one row: prompt from the suite's template, answer extracted from the text.
 * Undefined when a stop cut the request off: that sample is not done, not failed.
 */
async function chatOne(model: Model, row: Row, plan: RunPlan, variant: { sampling: Sampling; repeat: number; setting?: string }, cutoff: AbortSignal): Promise<SampleRecord | undefined> {
  const messages = plan.promptFor(row);
  const t0 = performance.now();
  let res: ChatResult;
  try {
    // Each repeat samples with its own seed, or repeats of a sampled setting would all agree.
    const sampling = variant.repeat === 0 ? variant.sampling : { ...variant.sampling, seed: (variant.sampling.seed ?? 0) + variant.repeat };
    res = await model.chat!({ messages, sampling, repeat: variant.repeat }, cutoff);
  } catch (e) {
    if (cutoff.aborted) return undefined;
    res = { text: '', usage: { prompt_tokens: 0, completion_tokens: 0, source: 'estimate' }, e2e_ms: 0, cached: false, attempts: 1, error: (e as Error).message };
  }
  if (res.error !== undefined && cutoff.aborted) return undefined;
  const error = res.error ?? null;
  const pred = error === null ? plan.answerer.extract(res.text, row) : null;
  return {
    ...(variant.setting !== undefined ? { setting: variant.setting, repeat: variant.repeat } : {}),
    ...(row.difficulty !== undefined ? { difficulty: row.difficulty } : {}),
    ...(row.kind !== undefined ? { kind: row.kind } : {}),
    model: model.spec,
    suite: plan.suite.name,
    id: row.id,
    lang: row.lang,
    tags: row.tags,
    input: row.text,
    expected: row.label,
    output: res.text,
    pred,
    correct: error === null && plan.answerer.correct(pred, row),
    latency_ms: Math.round((performance.now() - t0) * 1000) / 1000,
    error,
    usage: res.usage,
    ...(res.cost_usd !== undefined ? { cost_usd: res.cost_usd } : {}),
    ...(res.ttft_ms !== undefined ? { ttft_ms: res.ttft_ms } : {}),
    attempts: res.attempts,
    cached: res.cached,
    ...(res.truncated ? { truncated: true } : {}),
  };
}

/** One classify() call; a failure becomes an error on each of its samples, never a dropped sample. */
async function classifyBatch(model: Model, batch: readonly Row[], labels: readonly string[], suite: string): Promise<SampleRecord[]> {
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
  return batch.map((row, k) => {
    const out = outputs?.[k];
    const pred = out?.label ?? null;
    return {
      model: model.spec,
      suite,
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
  });
}
