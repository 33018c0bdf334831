import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Tokenizer } from '../src/scratch/tokenizer.js';
import { createModel } from '../src/models/registry.js';
import { textOfTokens } from '../src/models/scratch.js';
import type { ThroughputSummary } from '../src/results/types.js';
import { probeBandwidth, rooflineTokensPerSecond } from '../src/throughput/bandwidth.js';
import { spread } from '../src/throughput/stats.js';
import { emobench, tempDir } from './helpers/cli.js';

test('the throughput suite measures prefill/decode over the grid and serving levels, with spread', () => {
  const out = join(tempDir(), 'tp');
  const r = emobench(['eval', '--suite', 'throughput', '--model', 'scratch@tiny', '--prompt-tokens', '16,33', '--batch', '1,2', '--repeats', '5', '--levels', '1,4', '--slo-ttft-ms', '10000', '--out', out, '--gate', 'throughput.decode_tps>=1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /batch-1 decode [\d.]+ tok\/s \[[\d.]+–[\d.]+\]/);
  assert.match(r.stdout, /roofline: [\d.]+ GB\/s memory bandwidth/);
  assert.match(r.stdout, /\d+ \(asked 128; cut to the 64-token context\)/);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as ThroughputSummary;
  assert.equal(s.schema, 'emobench.throughput/1');
  const t = s.models[0]!.throughput;
  assert.deepEqual(t.grid.map((g) => [g.batch, g.prompt_tokens]), [[1, 16], [1, 33], [2, 16], [2, 33]]);
  for (const g of t.grid) {
    assert.equal(g.decode_tps.n, 5);
    assert.ok(g.decode_tps.q1 <= g.decode_tps.median.value && g.decode_tps.median.value <= g.decode_tps.q3);
    assert.ok(g.prefill_tps.median.value > 0);
  }
  assert.deepEqual(t.serving.map((l) => l.concurrency), [1, 4]);
  for (const l of t.serving) {
    assert.equal(l.failed, 0);
    assert.equal(l.completed, l.requests);
    assert.equal(l.token_source, 'server');
    // The suite's 128-token serving prompt does not fit the tiny model's 64-token context: the level says so.
    assert.ok(l.prompt_tokens < 64, String(l.prompt_tokens));
    assert.deepEqual(l.prompt_shortened, { asked: 128, context: 64 });
    assert.equal(l.goodput, l.request_throughput, 'a 10 s TTFT objective is met by every request');
  }
  assert.ok(t.roofline && t.roofline.limit_tps > 0 && t.roofline.percent_of_limit > 0);
  const failing = emobench(['gate', out, '--gate', 'throughput.decode_tps>=1000000']);
  assert.equal(failing.code, 1);
});

test('a throughput run stopped by an error keeps the cells it finished, marked incomplete', () => {
  const out = join(tempDir(), 'tp');
  const r = emobench(['eval', '--suite', 'throughput', '--model', 'scratch@tiny', '--prompt-tokens', '16,5000', '--batch', '1', '--repeats', '5', '--levels', '1', '--out', out]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /scratch@tiny: a 5000-token prompt and 32 output tokens do not fit its context \(64 tokens\) \(it kept \d+ prompt tokens and decoded \d+\)/);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as ThroughputSummary;
  assert.equal(s.complete, false);
  assert.match(s.error ?? '', /5000-token prompt/);
  const t = s.models[0]!.throughput;
  assert.deepEqual(t.grid.map((g) => g.prompt_tokens), [16]);
  assert.equal(t.grid[0]!.decode_tps.n, 5);
});

test('serving prompts of local models are as long as asked, and the level records their real length', async () => {
  const model = await createModel('scratch@tiny');
  try {
    for (const n of [8, 24, 40]) {
      const r = await model.chat!({ messages: [{ role: 'user', content: model.userMessageOfTokens!(n, 1) }], sampling: { max_tokens: 2, temperature: 0 }, repeat: 0 });
      assert.ok(Math.abs(r.usage.prompt_tokens - n) <= 1, `asked ${n}, got ${r.usage.prompt_tokens}`);
    }
  } finally {
    await model.close?.();
  }
  const out = join(tempDir(), 'tp');
  const r = emobench(['eval', '--suite', 'throughput', '--model', 'scratch@tiny', '--prompt-tokens', '8', '--batch', '1', '--repeats', '5', '--levels', '2', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const level = (JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as ThroughputSummary).models[0]!.throughput.serving[0]!;
  assert.ok(level.prompt_tokens > 0 && level.prompt_tokens <= 64, `tiny's 64-token context bounds the prompt: ${level.prompt_tokens}`);
});

test('prompts of an exact token length', () => {
  const tok = new Tokenizer([]);
  for (const n of [1, 2, 17, 128]) assert.equal(tok.encode(textOfTokens(tok, n, 3), { bos: true }).length, n);
});

test('spread statistics and the roofline arithmetic', () => {
  const s = spread([5, 1, 4, 2, 3], 1);
  assert.equal(s.median.value, 3);
  assert.deepEqual([s.q1, s.q3, s.n, s.mean], [2, 4, 5, 3]);
  assert.ok(Math.abs(s.p90 - 4.6) < 1e-12);
  assert.equal(rooflineTokensPerSecond({ bytes_per_s: 24e9, buffer_mb: 1, runs: 1 }, 372e6).toFixed(1), '64.5');
  const bw = probeBandwidth({ bufferMb: 16, runs: 2 });
  assert.ok(bw.bytes_per_s > 1e8, `implausible bandwidth ${bw.bytes_per_s}`);
});
