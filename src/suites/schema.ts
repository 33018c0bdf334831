import { z } from 'zod';

/**
 * The suite file format (suites/*.yaml). One schema, so a wrong field is reported by name with
 * its line in the YAML file (see load.ts), and the rest of the pipeline can trust the shape.
 */
const labelName = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'labels are lowercase identifiers (a-z, 0-9, _ -)');

export const DatasetSpecSchema = z.strictObject({
  /** Path relative to the suite file, or a `format:path` spec like --dataset takes. */
  path: z.string().min(1),
  /** Rows with this split are scored. */
  split: z.string().min(1).default('test'),
  /** Rows with this split train the classical baselines (nb, majority) and feed few-shot prompts. */
  train_split: z.string().min(1).default('train'),
  /** Another file to take the train split from, when the dataset itself has none (a test-only set). */
  train_path: z.string().min(1).optional(),
});

export const PromptSchema = z.strictObject({
  system: z.string().optional(),
  /** `{{text}}` and `{{labels}}` are replaced; anything else in double braces is an error. */
  user: z.string().min(1),
  /** System prompt used instead of `system` with --cot (chain of thought). */
  cot_system: z.string().optional(),
  /** Worked examples from the train split put before each question (k-shot); --shots overrides. */
  shots: z.number().int().nonnegative().default(0),
});

export const ExtractSchema = z.strictObject({
  /** auto: per row — options → choice, a numeric gold answer → number, else short text. */
  type: z.enum(['label', 'number', 'choice', 'text', 'auto']),
  /** Extra words that count as each label in model output (other languages, synonyms). */
  aliases: z.record(z.string(), z.array(z.string().min(1))).optional(),
});

const lengths = z.array(z.number().int().positive()).min(1);

/** Knobs of a throughput suite (see src/throughput/run.ts for what each measures). */
export const ThroughputSchema = z.strictObject({
  prompt_tokens: lengths,
  output_tokens: z.number().int().positive(),
  batch: lengths,
  warmup: z.number().int().nonnegative().default(1),
  repeats: z.number().int().min(1),
  concurrency: lengths,
  requests: z.number().int().positive(),
  serving_prompt_tokens: z.number().int().positive(),
  serving_output_tokens: z.number().int().positive(),
});

export const SuiteSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'suite names are lowercase identifiers'),
    description: z.string().optional(),
    task: z.enum(['classification', 'generation', 'throughput']),
    dataset: DatasetSpecSchema.optional(),
    throughput: ThroughputSchema.optional(),
    labels: z.array(labelName).min(2).optional(),
    prompt: PromptSchema.optional(),
    extract: ExtractSchema.optional(),
    /** Models run when the user names none. */
    default_models: z.array(z.string().min(1)).min(1),
  })
  .superRefine((s, ctx) => {
    if (s.task === 'throughput' && !s.throughput) {
      ctx.addIssue({ code: 'custom', path: ['throughput'], message: 'a throughput suite needs its settings' });
    }
    if (s.task !== 'throughput' && !s.dataset) {
      ctx.addIssue({ code: 'custom', path: ['dataset'], message: `a ${s.task} suite needs a dataset` });
    }
    if (s.task !== 'throughput' && !s.extract && s.task === 'generation') {
      ctx.addIssue({ code: 'custom', path: ['extract'], message: 'a generation suite needs an answer extractor' });
    }
    if (s.task === 'classification' && !s.labels) {
      ctx.addIssue({ code: 'custom', path: ['labels'], message: 'a classification suite needs a label set' });
    }
    if (s.labels && new Set(s.labels).size !== s.labels.length) {
      ctx.addIssue({ code: 'custom', path: ['labels'], message: 'labels must be unique' });
    }
    for (const key of Object.keys(s.extract?.aliases ?? {})) {
      if (!s.labels?.includes(key)) {
        ctx.addIssue({ code: 'custom', path: ['extract', 'aliases', key], message: `"${key}" is not in labels` });
      }
    }
  });

/**
 * Fields suites once had and no longer read, with what to do instead: they are refused with this
 * advice rather than accepted and ignored. `metrics` listed what every suite of a task computes
 * anyway (src/scoring/metrics.ts is the one list); `dataset.format` duplicated the `format:path`
 * form of `path`.
 */
export const RETIRED_FIELDS: Readonly<Record<string, string>> = {
  metrics: 'metrics follow the task (classification: accuracy, macro-F1, per-class F1 and the confusion matrix; generation: accuracy; gates and reports pick from these), so this field is no longer read: remove it',
  'dataset.format': 'name the format in the path instead, e.g. path: "jsonl:data.txt" (as --dataset takes)',
};

export type Suite = z.infer<typeof SuiteSchema>;
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;

/** A suite as loaded: the parsed spec plus where it came from. */
export interface LoadedSuite {
  spec: Suite;
  file: string;
  /** sha256 of the suite file's bytes, recorded so a changed suite is detectable. */
  sha256: string;
}
