import { UserError } from '../errors.js';
import { MajorityModel } from './majority.js';
import { NaiveBayesModel } from './naive-bayes.js';
import { checkOptions, parseModelSpec } from './spec.js';
import type { Model, ModelDescription } from './types.js';
import { OpenAIChatModel } from './openai.js';
import { ResponseCache } from '../api/cache.js';
import { resolveEndpoint } from '../api/endpoints.js';

/** Every model name the CLI accepts, with a line of help each. */
export const MODEL_KINDS: Record<string, string> = {
  majority: 'always the most frequent training label (baseline floor)',
  nb: 'naive Bayes over character 1-3-grams, trained on the suite train split',
  scratch: 'the scratch emotion transformer: scratch (shipped), scratch:<dir>, scratch@paper|small|tiny (random), ?kv=int8&bias=off&window=N&head=lm',
  openai: 'openai:<name|model-id>: any OpenAI-compatible endpoint (baselines/models.yaml or --base-url)',
  onnx: 'onnx:<file.onnx|dir>: a local ONNX classifier or causal LM (tokenizer.json beside it), or an `emobench export-onnx` file; ?head=lm',
};

/** Run-wide settings some models need (API models: cache, timeouts, endpoint overrides). */
export interface ModelContext {
  /** Response cache directory; null disables the cache (--no-cache). */
  cacheDir: string | null;
  timeoutMs: number;
  seed: number;
  baseUrl?: string;
  apiKeyEnv?: string;
}

export const DEFAULT_MODEL_CONTEXT: ModelContext = { cacheDir: null, timeoutMs: 60_000, seed: 0 };

export async function createModel(raw: string, ctx: ModelContext = DEFAULT_MODEL_CONTEXT): Promise<Model> {
  const spec = parseModelSpec(raw);
  switch (spec.name) {
    case 'scratch':
      // Loaded on demand: TensorFlow.js costs start-up time that baseline-only runs should not pay.
      return (await import('./scratch.js')).createScratchModel(spec);
    case 'onnx':
      // Loaded on demand: onnxruntime's native library costs start-up time.
      return (await import('./onnx.js')).createOnnxModel(spec);
    case 'openai': {
      if (!spec.target) throw new UserError(`model spec "${raw}": name the model, e.g. openai:gpt-4o-mini`);
      checkOptions(spec, ['base_url', 'api_key_env']);
      const endpoint = resolveEndpoint(spec.target, { base_url: spec.options['base_url'] ?? ctx.baseUrl, api_key_env: spec.options['api_key_env'] ?? ctx.apiKeyEnv });
      return new OpenAIChatModel(spec.raw, endpoint, { cache: ctx.cacheDir ? new ResponseCache(ctx.cacheDir) : undefined, timeoutMs: ctx.timeoutMs, seed: ctx.seed });
    }
    case 'majority':
      checkOptions(spec, []);
      return new MajorityModel(spec.raw);
    case 'nb':
      checkOptions(spec, []);
      return new NaiveBayesModel(spec.raw);
    default:
      throw new UserError(`model spec "${raw}": unknown model "${spec.name}" (known: ${Object.keys(MODEL_KINDS).join(', ')})`);
  }
}

/**
 * A model's meta and answer paths without loading it, for `merge` and `eval --dry-run`: a scratch
 * model reads only its config (and hashes its weights file); the other kinds cost little to create,
 * so they are created and closed (an onnx: graph is opened, since its outputs decide its kind).
 * The meta's config_hash equals the loaded model's, so resume and merge compare the two freely.
 */
export async function describeModel(raw: string, ctx: ModelContext = DEFAULT_MODEL_CONTEXT): Promise<ModelDescription> {
  const spec = parseModelSpec(raw);
  if (spec.name === 'scratch') return (await import('./scratch.js')).describeScratchModel(spec);
  const model = await createModel(raw, ctx);
  try {
    return describeLoaded(model);
  } finally {
    await model.close?.();
  }
}

export function describeLoaded(m: Model): ModelDescription {
  return { spec: m.spec, meta: m.meta(), classifies: m.classify !== undefined, chats: m.chat !== undefined, ...(m.cost ? { cost: (u) => m.cost!(u) } : {}) };
}
