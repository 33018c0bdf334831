import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ResponseCache } from '../src/api/cache.js';
import { loadEndpoints, resolveEndpoint } from '../src/api/endpoints.js';
import { RateLimiter } from '../src/api/rate-limit.js';
import { AttemptError, backoffMs, DEFAULT_RETRY, parseRetryAfter, withRetries } from '../src/api/retry.js';
import { fixtureDir, tempDir } from './helpers/cli.js';

test('Retry-After as seconds or HTTP date', () => {
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter('0.5'), 500);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(null), undefined);
});

test('backoff grows exponentially with full jitter and a cap', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(backoffMs(0, policy, () => 1), 100);
  assert.equal(backoffMs(3, policy, () => 1), 800);
  assert.equal(backoffMs(8, policy, () => 1), 1000);
  assert.equal(backoffMs(3, policy, () => 0), 0);
});

test('withRetries retries retryable errors, honours Retry-After, stops on fatal ones', async () => {
  const policy = { ...DEFAULT_RETRY, baseDelayMs: 1, maxDelayMs: 50 };
  let n = 0;
  const t0 = Date.now();
  const ok = await withRetries(async () => {
    n++;
    if (n === 1) throw new AttemptError('HTTP 429', true, 40, 429);
    if (n === 2) throw new AttemptError('HTTP 503', true);
    return 'done';
  }, policy, { seed: 1 });
  assert.deepEqual(ok, { value: 'done', attempts: 3 });
  assert.ok(Date.now() - t0 >= 39, 'waited for Retry-After');
  const fatal = await withRetries(async () => {
    throw new AttemptError('HTTP 400: bad', false, undefined, 400);
  }, policy, { seed: 1 });
  assert.deepEqual(fatal, { error: 'HTTP 400: bad', attempts: 1 });
  const exhausted = await withRetries(async () => {
    throw new AttemptError('HTTP 500', true);
  }, { ...policy, maxAttempts: 3 }, { seed: 1 });
  assert.deepEqual(exhausted, { error: 'HTTP 500', attempts: 3 });
});

test('rate limiter keeps RPM and TPM inside a sliding minute', () => {
  let now = 0;
  const rl = new RateLimiter(2, 1000, () => now);
  assert.equal(rl.delayFor(100), 0);
  void rl.acquire(100);
  now = 10;
  void rl.acquire(100);
  now = 20;
  assert.equal(rl.delayFor(100), 60_000 - 20, 'third request waits for the first to leave the window');
  const tokens = new RateLimiter(undefined, 1000, () => now);
  void tokens.acquire(900);
  assert.equal(tokens.delayFor(200), 60_000);
  assert.equal(tokens.delayFor(100), 0);
});

test('cache: keyed by the full request, order-insensitive, survives a damaged entry', () => {
  const cache = new ResponseCache(join(tempDir(), 'cache'));
  const k1 = ResponseCache.key({ a: 1, b: [1, 2], repeat: 0 });
  assert.equal(k1, ResponseCache.key({ b: [1, 2], a: 1, repeat: 0 }));
  assert.notEqual(k1, ResponseCache.key({ a: 1, b: [1, 2], repeat: 1 }));
  assert.equal(cache.get(k1), undefined);
  cache.set(k1, { a: 1 }, { text: 'joy' });
  assert.deepEqual(cache.get(k1), { text: 'joy' });
});

test('endpoint registry: shipped entries load; raw ids and overrides; bad files are named', () => {
  const reg = loadEndpoints();
  assert.equal(reg.get('gpt-4o-mini')?.api_key_env, 'OPENAI_API_KEY');
  assert.ok(reg.get('llama3-vllm'));
  const e = resolveEndpoint('my-model', { base_url: 'http://127.0.0.1:9999/v1' }, reg);
  assert.deepEqual([e.model, e.base_url], ['my-model', 'http://127.0.0.1:9999/v1']);
  assert.throws(() => resolveEndpoint('x', { base_url: 'ftp://nope' }, reg), /must start with http/);
  const dir = fixtureDir({ 'm.yaml': 'models:\n  a:\n    base_url: not a url\n    model: m\n' });
  assert.throws(() => loadEndpoints(join(dir, 'm.yaml')), /m\.yaml:3: field "models\.a\.base_url"/);
});
