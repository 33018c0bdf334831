import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goodput, streamLatency } from '../src/scoring/latency.js';

test('TTFT skips empty first chunks; TPOT and ITL from single-token chunks', () => {
  const r = streamLatency([
    { t: 5, text: '', tokens: 0 }, // role-only delta
    { t: 100, text: 'Hel', tokens: 1 },
    { t: 130, text: 'lo', tokens: 1 },
    { t: 170, text: ' world', tokens: 1 },
    { t: 200, text: '!', tokens: 1 },
  ]);
  assert.equal(r.ttft_ms, 100);
  assert.equal(r.e2e_ms, 200);
  assert.equal(r.output_tokens, 4);
  assert.equal(r.tpot_ms, (200 - 100) / 3);
  assert.deepEqual(r.itl_ms, [30, 40, 30]);
});

test('multi-token chunks spread their gap over their tokens; extra first-chunk tokens add zero gaps', () => {
  const r = streamLatency([
    { t: 50, text: 'ab', tokens: 2 },
    { t: 90, text: 'cdef', tokens: 4 },
    { t: 100, text: 'g', tokens: 1 },
    { t: 120, text: '', tokens: 0 }, // usage-only final chunk
  ]);
  assert.equal(r.ttft_ms, 50);
  assert.equal(r.e2e_ms, 100);
  assert.equal(r.output_tokens, 7);
  assert.deepEqual(r.itl_ms, [0, 10, 10, 10, 10, 10]);
  assert.equal(r.itl_ms.reduce((a, b) => a + b, 0), r.e2e_ms - r.ttft_ms);
  assert.equal(r.tpot_ms, 50 / 6);
});

test('a single token has no TPOT; a stream with no tokens has no TTFT', () => {
  const one = streamLatency([{ t: 42, text: 'x', tokens: 1 }]);
  assert.equal(one.ttft_ms, 42);
  assert.ok(Number.isNaN(one.tpot_ms));
  assert.deepEqual(one.itl_ms, []);
  const none = streamLatency([{ t: 10, text: '', tokens: 0 }]);
  assert.ok(Number.isNaN(none.ttft_ms));
  assert.equal(none.output_tokens, 0);
});

test('goodput counts requests meeting every objective per second of wall time', () => {
  const reqs = [
    { ttft_ms: 100, e2e_ms: 500, tpot_ms: 20, itl_ms: [], output_tokens: 10 },
    { ttft_ms: 300, e2e_ms: 900, tpot_ms: 20, itl_ms: [], output_tokens: 10 },
    { ttft_ms: 100, e2e_ms: 900, tpot_ms: 80, itl_ms: [], output_tokens: 10 },
  ];
  assert.equal(goodput(reqs, 2, { ttft_ms: 200 }), 1);
  assert.equal(goodput(reqs, 2, { ttft_ms: 200, tpot_ms: 50 }), 0.5);
  assert.equal(goodput(reqs, 1, {}), 3);
});
