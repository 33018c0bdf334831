import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { RuntimeFailure, UserError } from '../errors.js';
import type { Endpoint } from './endpoints.js';

/**
 * One GET /v1/models before a run: the endpoint answers, accepts the key and serves the model.
 * Without it a dead or misconfigured endpoint turns every sample into an error, and the run ends in a
 * 0% leaderboard that looks like a result.
 */
export async function preflightEndpoint(spec: string, endpoint: Endpoint, timeoutMs: number): Promise<void> {
  const apiKey = endpoint.api_key_env ? process.env[endpoint.api_key_env] : undefined;
  const client = new OpenAI({ baseURL: endpoint.base_url, apiKey: apiKey ?? 'none', maxRetries: 1, timeout: timeoutMs });
  const url = `${endpoint.base_url.replace(/\/$/, '')}/models`;
  const ids: string[] = [];
  try {
    for await (const m of client.models.list()) ids.push(m.id);
  } catch (e) {
    if (e instanceof APIConnectionTimeoutError) throw new RuntimeFailure(`model ${spec}: ${url} did not answer within ${timeoutMs / 1000} s (is the server running? --timeout S waits longer)`);
    if (e instanceof APIConnectionError) throw new RuntimeFailure(`model ${spec}: cannot reach ${url}: ${causeOf(e)} (is the server running? is --base-url right?)`);
    if (e instanceof APIError && (e.status === 401 || e.status === 403)) {
      const key = endpoint.api_key_env ? `$${endpoint.api_key_env}${apiKey === undefined ? ' is not set' : ''}` : 'no key is configured (--api-key-env NAME)';
      throw new UserError(`model ${spec}: ${url} refused the API key (HTTP ${e.status}); ${key}`);
    }
    // Some servers have no model list; the run itself will tell.
    if (e instanceof APIError && (e.status === 404 || e.status === 405)) return;
    throw new RuntimeFailure(`model ${spec}: ${url} failed: ${(e as Error).message}`);
  }
  if (!ids.includes(endpoint.model)) {
    const shown = ids.slice(0, 10).join(', ') + (ids.length > 10 ? `, … (${ids.length} in all)` : '');
    throw new UserError(`model ${spec}: ${url} does not serve "${endpoint.model}" (it lists: ${shown || 'no models'})`);
  }
}

/** The socket-level reason (ECONNREFUSED, ENOTFOUND) that the SDK's "Connection error." hides. */
function causeOf(e: Error): string {
  let c: unknown = e.cause;
  while (c instanceof Error && c.cause instanceof Error) c = c.cause;
  const code = (c as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : c instanceof Error ? c.message : e.message;
}
