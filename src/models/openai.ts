import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { AttemptError, DEFAULT_RETRY, isRetryableStatus, parseRetryAfter, withRetries, type RetryPolicy } from '../api/retry.js';
import { ResponseCache } from '../api/cache.js';
import type { Endpoint } from '../api/endpoints.js';
import { preflightEndpoint } from '../api/preflight.js';
import { RateLimiter } from '../api/rate-limit.js';
import { streamLatency, type StreamChunk } from '../scoring/latency.js';
import { configHash } from '../util/hash.js';
import type { ChatRequest, ChatResult, Model, ModelMeta, TokenUsage } from './types.js';

export interface OpenAIModelOptions {
  cache?: ResponseCache;
  retry?: RetryPolicy;
  /** No bytes for this long (headers or stream) fails the attempt. */
  timeoutMs: number;
  /** Seed for retry jitter. */
  seed: number;
}

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

  constructor(
    readonly spec: string,
    private readonly endpoint: Endpoint,
    private readonly opts: OpenAIModelOptions,
  ) {
    const apiKey = endpoint.api_key_env ? process.env[endpoint.api_key_env] : undefined;
    // Local servers accept any key; the SDK insists on one being set.
    this.client = new OpenAI({ baseURL: endpoint.base_url, apiKey: apiKey ?? 'none', maxRetries: 0, timeout: opts.timeoutMs });
    this.limiter = new RateLimiter(endpoint.rpm, endpoint.tpm);
  }

  get location(): string {
    return this.endpoint.base_url;
  }

  preflight(): Promise<void> {
    return preflightEndpoint(this.spec, this.endpoint, this.opts.timeoutMs);
  }

  meta(): ModelMeta {
    const config = { kind: 'openai', base_url: this.endpoint.base_url, model: this.endpoint.model, price_per_1m: this.endpoint.price_per_1m ?? null };
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
    this.opts.cache?.set(key, body, result);
    return { ...result, cached: false, attempts: outcome.attempts };
  }

  /** One streamed request; every failure is classified retryable or not. */
  private async attempt(body: Record<string, unknown>, outer?: AbortSignal, onToken?: (text: string) => void): Promise<Omit<ChatResult, 'cached' | 'attempts'>> {
    const idle = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(), this.opts.timeoutMs);
    };
    const signal = outer ? AbortSignal.any([outer, idle.signal]) : idle.signal;
    const t0 = performance.now();
    const chunks: StreamChunk[] = [];
    let text = '';
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
        const delta = chunk.choices?.[0]?.delta?.content ?? '';
        // One chunk is one token on vLLM, llama.cpp and emobench serve; counts are corrected from usage below.
        chunks.push({ t: performance.now() - t0, text: delta, tokens: delta === '' ? 0 : 1 });
        text += delta;
        if (delta !== '') onToken?.(delta);
        if (chunk.choices?.[0]?.finish_reason) finished = true;
        if (chunk.usage) usage = { prompt_tokens: chunk.usage.prompt_tokens, completion_tokens: chunk.usage.completion_tokens, source: 'server' };
      }
    } catch (e) {
      throw classify(e, idle.signal.aborted, this.opts.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    if (!finished) throw new AttemptError('stream ended before the response was complete (no finish_reason)', true);
    const lat = streamLatency(chunks);
    return {
      text,
      usage: usage ?? { prompt_tokens: estimateTokens(JSON.stringify(body['messages'])), completion_tokens: estimateTokens(text), source: 'estimate' },
      ...(Number.isNaN(lat.ttft_ms) ? {} : { ttft_ms: round(lat.ttft_ms) }),
      e2e_ms: round(performance.now() - t0),
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

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const round = (x: number) => Math.round(x * 100) / 100;
