import { setTimeout as sleep } from 'node:timers/promises';
import { mulberry32 } from '../util/rng.js';

/**
 * Retries for API calls: what is retried (429, 5xx, timeouts, connection resets, malformed or cut
 * responses), how long to wait (exponential backoff with full jitter, or the server's Retry-After),
 * and when to give up. Written here rather than left to the SDK so every attempt is visible in the
 * results and the policy is testable.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/** An error from one attempt, classified. */
export class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AttemptError';
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full jitter (AWS architecture blog): uniform in [0, min(cap, base·2^attempt)]. */
export function backoffMs(attempt: number, policy: RetryPolicy, rand: () => number): number {
  return rand() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
}

export interface RetryOutcome<T> {
  value?: T;
  error?: string;
  attempts: number;
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or runs out of attempts. A
 * server's Retry-After wins over the computed backoff (capped at maxDelayMs).
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy, opts: { seed: number; signal?: AbortSignal }): Promise<RetryOutcome<T>> {
  const rand = mulberry32(opts.seed);
  let last = '';
  for (let n = 0; n < policy.maxAttempts; n++) {
    try {
      return { value: await attempt(n), attempts: n + 1 };
    } catch (e) {
      const err = e instanceof AttemptError ? e : new AttemptError((e as Error).message, false);
      last = err.message;
      if (!err.retryable || n === policy.maxAttempts - 1 || opts.signal?.aborted) return { error: last, attempts: n + 1 };
      const wait = Math.min(policy.maxDelayMs, err.retryAfterMs ?? backoffMs(n, policy, rand));
      await sleep(wait, undefined, { signal: opts.signal }).catch(() => undefined);
    }
  }
  return { error: last, attempts: policy.maxAttempts };
}
