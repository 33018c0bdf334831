import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { AttemptError, DEFAULT_RETRY, isRetryableStatus, parseRetryAfter, withRetries, type RetryPolicy } from '../api/retry.js';
import { ResponseCache } from '../api/cache.js';
import type { Endpoint } from '../api/endpoints.js';
import { preflightEndpoint } from '../api/preflight.js';
import { RateLimiter } from '../api/rate-limit.js';
import { configHash } from '../util/hash.js';
import { redactUrl, registerSecret } from '../util/redact.js';
import type { ChatRequest, ChatResult, Model, ModelMeta, TokenUsage } from './types.js';

export interface OpenAIModelOptions {
  cache?: ResponseCache;
  retry?: RetryPolicy;
  /** No bytes for this long (headers or stream) fails the attempt. */
  timeoutMs: number;
  /** An attempt still streaming after this long fails, however steadily bytes arrive. */
  deadlineMs?: number;
  /** Answer text kept per request; a longer answer is cut here and marked truncated. */
  maxOutputBytes?: number;
  /** Seed for retry jitter. */
  seed: number;
}

/** Defaults for --max-output-bytes and --request-deadline. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1 << 20;
export const DEFAULT_DEADLINE_MS = 600_000;

/** Rough tokens for text when the server reports no usage: ~4 characters per token for English. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * A chat model behind any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp, `emobench
 * serve`). Streams every request so time to first token is measured; retries per src/api/retry.ts;
 * caches responses on disk; never sees the API key in anything it records.
 */
export class OpenAIChatModel implements Model {
  private readonly client: OpenAI;
  private readonly limiter: RateLimiter;
  private cacheWarned = false;

  constructor(
    readonly spec: string,
    private readonly endpoint: Endpoint,
    private readonly opts: OpenAIModelOptions,
  ) {
    const apiKey = endpoint.api_key_env ? process.env[endpoint.api_key_env] : undefined;
    registerSecret(apiKey);
    // Local servers accept any key; the SDK insists on one being set.
    this.client = new OpenAI({ baseURL: endpoint.base_url, apiKey: apiKey ?? 'none', maxRetries: 0, timeout: opts.timeoutMs });
    this.limiter = new RateLimiter(endpoint.rpm, endpoint.tpm);
  }

  /** Where the model answers, for messages: without credentials in the URL. */
  get location(): string {
    return redactUrl(this.endpoint.base_url);
  }

  preflight(): Promise<void> {
    return preflightEndpoint(this.spec, this.endpoint, this.opts.timeoutMs);
  }

  meta(): ModelMeta {
    const config = { kind: 'openai', base_url: redactUrl(this.endpoint.base_url), model: this.endpoint.model, price_per_1m: this.endpoint.price_per_1m ?? null };
    return { spec: this.spec, kind: 'api', config, config_hash: configHash(config) };
  }

  cost(usage: { prompt_tokens: number; completion_tokens: number }): number | undefined {
    const p = this.endpoint.price_per_1m;
    return p ? (usage.prompt_tokens * p.input + usage.completion_tokens * p.output) / 1e6 : undefined;
  }

  async chat(req: ChatRequest, signal?: AbortSignal, onToken?: (text: string) => void): Promise<ChatResult> {
    const body = {
      model: this.endpoint.model,
      messages: req.messages,
      ...definedOnly({ temperature: req.sampling.temperature, top_p: req.sampling.top_p, max_tokens: req.sampling.max_tokens, seed: req.sampling.seed, stop: req.sampling.stop }),
    };
    const key = ResponseCache.key({ base_url: this.endpoint.base_url, body, repeat: req.repeat });
    const hit = this.opts.cache?.get<Omit<ChatResult, 'cached' | 'attempts'>>(key);
    if (hit) return { ...hit, cached: true, attempts: 0 };

    const promptTokens = estimateTokens(req.messages.map((m) => m.content).join('\n'));
    await this.limiter.acquire(promptTokens + (req.sampling.max_tokens ?? 256), signal);
    const outcome = await withRetries(() => this.attempt(body, signal, onToken), this.opts.retry ?? DEFAULT_RETRY, { seed: this.opts.seed + req.repeat, signal });
    if (!outcome.value) {
      return { text: '', usage: { prompt_tokens: 0, completion_tokens: 0, source: 'estimate' }, e2e_ms: 0, cached: false, attempts: outcome.attempts, error: outcome.error };
    }
    const result = { ...outcome.value, cost_usd: this.cost(outcome.value.usage) };
    try {
      this.opts.cache?.set(key, body, result);
    } catch (e) {
      // The answer is paid for and correct; only the next run's saving is lost.
      if (!this.cacheWarned) process.stderr.write(`emobench: warning: cannot write the response cache (${(e as Error).message}); answers are kept but not cached\n`);
      this.cacheWarned = true;
    }
    return { ...result, cached: false, attempts: outcome.attempts };
  }

  /** One streamed request; every failure is classified retryable or not. */
  private async attempt(body: Record<string, unknown>, outer?: AbortSignal, onToken?: (text: string) => void): Promise<Omit<ChatResult, 'cached' | 'attempts'>> {
    const idle = new AbortController();
    const deadlineMs = this.opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
    const maxBytes = this.opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(), this.opts.timeoutMs);
    };
    const deadline = AbortSignal.timeout(deadlineMs);
    const signal = AbortSignal.any([idle.signal, deadline, ...(outer ? [outer] : [])]);
    // Retrying an attempt that used its whole deadline would only take as long again.
    const overDeadline = () => (deadline.aborted && !outer?.aborted ? new AttemptError(`no complete response within ${deadlineMs / 1000} s (request deadline)`, false) : undefined);
    const t0 = performance.now();
    let ttft: number | undefined;
    let text = '';
    let bytes = 0;
    let truncated = false;
    let usage: TokenUsage | undefined;
    let finished = false;
    arm();
    try {
      const stream = await this.client.chat.completions.create(
        { ...(body as unknown as OpenAI.ChatCompletionCreateParamsStreaming), stream: true, stream_options: { include_usage: true } },
        { signal },
      );
      for await (const chunk of stream) {
        arm();
        let delta = chunk.choices?.[0]?.delta?.content ?? '';
        if (delta !== '') {
          ttft ??= performance.now() - t0;
          // An answer is held whole for extraction: past the cap the rest is not read (leaving the
          // loop closes the stream), so an endless answer cannot fill memory.
          const size = Buffer.byteLength(delta);
          if (bytes + size > maxBytes) {
            delta = cutToBytes(delta, maxBytes - bytes);
            truncated = true;
          }
          bytes += Buffer.byteLength(delta);
          text += delta;
          onToken?.(delta);
          if (truncated) break;
        }
        if (chunk.choices?.[0]?.finish_reason) finished = true;
        if (chunk.usage) usage = { prompt_tokens: chunk.usage.prompt_tokens, completion_tokens: chunk.usage.completion_tokens, source: 'server' };
      }
    } catch (e) {
      throw overDeadline() ?? classify(e, idle.signal.aborted, this.opts.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    // An abort can also end the stream quietly, without an error.
    const quiet = overDeadline() ?? (idle.signal.aborted ? classify(undefined, true, this.opts.timeoutMs) : undefined);
    if (quiet && !truncated) throw quiet;
    if (!finished && !truncated) throw new AttemptError('stream ended before the response was complete (no finish_reason)', true);
    return {
      text,
      usage: usage ?? { prompt_tokens: estimateTokens(JSON.stringify(body['messages'])), completion_tokens: estimateTokens(text), source: 'estimate' },
      ...(ttft === undefined ? {} : { ttft_ms: round(ttft) }),
      e2e_ms: round(performance.now() - t0),
      ...(truncated ? { truncated: true } : {}),
    };
  }
}

function classify(e: unknown, timedOut: boolean, timeoutMs: number): AttemptError {
  if (e instanceof AttemptError) return e;
  if (timedOut) return new AttemptError(`no response for ${timeoutMs} ms (timeout)`, true);
  if (e instanceof APIUserAbortError) return new AttemptError('cancelled', false);
  if (e instanceof APIConnectionError) return new AttemptError(`connection error: ${e.message}`, true);
  if (e instanceof APIError && typeof e.status === 'number') {
    return new AttemptError(`HTTP ${e.status}: ${e.message}`, isRetryableStatus(e.status), parseRetryAfter(e.headers?.get('retry-after')), e.status);
  }
  // Malformed JSON in the body or stream, a reset mid-stream: transient on a healthy server.
  return new AttemptError(`bad response: ${(e as Error).message}`, true);
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
function cutToBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    bytes += Buffer.byteLength(ch);
    if (bytes > maxBytes) break;
    end += ch.length;
  }
  return text.slice(0, end);
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const round = (x: number) => Math.round(x * 100) / 100;
