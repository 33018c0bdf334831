import { UserError } from '../errors.js';

/**
 * A model spec names what runs: `name[@config][:target][?key=value&…]`.
 *   nb · majority · scratch · scratch@paper · scratch:./weights · scratch@paper?kv=int8&bias=off
 *   openai:gpt-4o-mini · onnx:./model.onnx
 */
export interface ModelSpec {
  raw: string;
  name: string;
  config?: string;
  target?: string;
  options: Record<string, string>;
}

export function parseModelSpec(raw: string): ModelSpec {
  const spec = raw.trim();
  if (spec === '') throw new UserError('model spec is empty');
  const q = spec.indexOf('?');
  const head = q === -1 ? spec : spec.slice(0, q);
  const options: Record<string, string> = {};
  if (q !== -1) {
    for (const part of spec.slice(q + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const key = eq === -1 ? part : part.slice(0, eq);
      if (!/^[a-z][a-z0-9_]*$/i.test(key)) throw new UserError(`model spec "${raw}": bad option name "${key}"`);
      if (key in options) throw new UserError(`model spec "${raw}": option "${key}" given twice`);
      options[key] = eq === -1 ? 'true' : decodeURIComponent(part.slice(eq + 1));
    }
  }
  const m = /^([a-z][a-z0-9_-]*)(?:@([a-z0-9_.-]+))?(?::(.+))?$/i.exec(head);
  if (!m) throw new UserError(`model spec "${raw}": expected name[@config][:target][?key=value&…], e.g. nb, scratch@paper, openai:gpt-4o-mini`);
  return { raw: spec, name: m[1]!.toLowerCase(), config: m[2], target: m[3], options };
}

/** Refuse options a model does not know, so a typo is an error rather than silently ignored. */
export function checkOptions(spec: ModelSpec, known: readonly string[]): void {
  const unknown = Object.keys(spec.options).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new UserError(`model spec "${spec.raw}": unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}${known.length ? ` (known: ${known.join(', ')})` : ' (this model takes none)'}`);
  }
}
