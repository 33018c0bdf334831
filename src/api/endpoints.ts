import { existsSync, readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { UserError, where } from '../errors.js';
import { pkgPath } from '../util/paths.js';
import { didYouMean } from '../util/suggest.js';

/** One OpenAI-compatible endpoint from baselines/models.yaml (or built from flags). */
export interface Endpoint {
  name: string;
  base_url: string;
  model: string;
  api_key_env?: string;
  price_per_1m?: { input: number; output: number };
  rpm?: number;
  tpm?: number;
}

const EndpointSchema = z.strictObject({
  base_url: z.url(),
  model: z.string().min(1),
  api_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional(),
  price_per_1m: z.strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() }).optional(),
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
});
const RegistrySchema = z.strictObject({ models: z.record(z.string(), EndpointSchema) });

export const DEFAULT_REGISTRY = pkgPath('baselines', 'models.yaml');

export function loadEndpoints(file = DEFAULT_REGISTRY): Map<string, Endpoint> {
  if (!existsSync(file)) return new Map();
  const text = readFileSync(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  if (doc.errors.length > 0) throw new UserError(`${where(file, lc.linePos(doc.errors[0]!.pos[0]).line)}: invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (e) {
    throw new UserError(`${file}: invalid YAML: ${(e as Error).message}`);
  }
  const parsed = RegistrySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number, number] } | undefined;
    const line = node?.range ? lc.linePos(node.range[0]).line : undefined;
    throw new UserError(`${where(file, line)}: field "${issue.path.join('.')}": ${issue.message}`);
  }
  return new Map(Object.entries(parsed.data.models).map(([name, e]) => [name, { name, ...e }]));
}

/**
 * `openai:<name>`: a registry entry by name, or else a raw model id served at --base-url (or the
 * spec's `base_url` option, or OPENAI_BASE_URL). A name in neither is refused rather than sent to
 * OpenAI's public endpoint: a typo must not quietly become a paid request (or a wall of errors).
 */
export function resolveEndpoint(target: string, overrides: { base_url?: string; api_key_env?: string }, registry = loadEndpoints()): Endpoint {
  const entry = registry.get(target);
  const baseUrl = overrides.base_url ?? (process.env['OPENAI_BASE_URL'] || undefined);
  if (!entry && baseUrl === undefined) {
    throw new UserError(
      `model openai:${target}: "${target}" is not in baselines/models.yaml${didYouMean(target, registry.keys())}; known: ${[...registry.keys()].join(', ')}. ` +
        `For a model at another endpoint give its URL: --base-url http://host:port/v1 (or openai:${target}?base_url=…; for OpenAI itself https://api.openai.com/v1)`,
    );
  }
  const base = entry ?? { name: target, model: target, base_url: baseUrl!, api_key_env: 'OPENAI_API_KEY' };
  const e: Endpoint = { ...base, ...(overrides.base_url ? { base_url: overrides.base_url } : {}), ...(overrides.api_key_env ? { api_key_env: overrides.api_key_env } : {}) };
  if (!/^https?:\/\//.test(e.base_url)) throw new UserError(`model openai:${target}: base URL "${e.base_url}" must start with http:// or https://`);
  return e;
}
