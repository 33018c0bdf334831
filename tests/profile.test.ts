import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { ProfileResult } from '../src/results/types.js';
import { emobench, ROOT, tempDir } from './helpers/cli.js';

test('profile sweeps KV dtype × kv heads × window × batch × length; measured bytes equal the formula', () => {
  const dir = join(tempDir(), 'prof');
  const html = join(tempDir(), 'p.html');
  const r = emobench(['profile', '--model', 'scratch@tiny', '--kv', 'fp16,int8', '--seq', '16,40', '--batch', '1,2', '--kv-heads', '4,2', '--window', 'none,16', '--limit', '10', '--out', dir, '--report', html, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout) as ProfileResult;
  assert.equal(p.complete, true);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'profile.json'), 'utf8')), p);
  assert.ok(existsSync(join(dir, 'profile.html')) && readFileSync(html, 'utf8').includes('<section id="memory">'));
  // fp32 is added as the baseline: 3 dtypes × 2 heads × 2 windows × 2 batches × 2 lengths.
  assert.equal(p.sweep.length, 48);
  const L = p.config.nLayers;
  const hd = p.config.dModel / p.config.nHeads;
  for (const row of p.sweep) {
    const tokens = Math.min(row.seq, row.window ?? row.seq);
    const bytes = { fp32: 4, fp16: 2, int8: 1 }[row.kv];
    const kv = 2 * L * row.kv_heads * hd * tokens * row.batch * bytes;
    const scales = row.kv === 'int8' ? 2 * L * row.kv_heads * tokens * row.batch * 4 : 0;
    assert.equal(row.kv_measured.k + row.kv_measured.v, kv, `K+V ${JSON.stringify(row)}`);
    assert.equal(row.kv_measured.scales, scales);
    assert.deepEqual(row.kv_measured, row.kv_analytic);
    assert.equal(row.kv_error_pct, 0);
    const expected = { fp32: 0, fp16: 50, int8: 100 * (1 - (hd + 4) / (4 * hd)) }[row.kv];
    assert.ok(Math.abs(row.kv_saving_pct - expected) < 1e-9, `${row.kv} saving ${row.kv_saving_pct}`);
    assert.ok(row.activations_bytes > 0 && row.total_bytes > row.weights_bytes);
  }
  assert.deepEqual(p.accuracy.map((a) => [a.kv, a.window]), [['fp32', null], ['fp16', null], ['int8', null], ['fp32', 16], ['fp16', 16], ['int8', 16]]);
  assert.ok(Number.isFinite(p.claims.bias_overhead_pct));
  assert.ok(p.timeline.points.length > 0);
});

test('random weights skip the accuracy cost unless asked; a killed profile keeps the rows it measured', async () => {
  const quick = emobench(['profile', '--model', 'scratch@tiny', '--kv', 'int8', '--seq', '16', '--out', join(tempDir(), 'p')]);
  assert.equal(quick.code, 0, quick.stderr);
  assert.match(quick.stderr, /accuracy cost skipped: scratch@tiny has random weights/);

  const dir = join(tempDir(), 'killed');
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'emobench.js'), 'profile', '--model', 'scratch@tiny', '--seq', '8,16,24,32,40,48,56,64', '--batch', '1,2,3,4', '--out', dir], { stdio: 'ignore' });
  const file = join(dir, 'profile.json');
  const rowsIn = () => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ProfileResult).sweep.length : 0);
  const closed = once(child, 'close');
  let exited = false;
  void closed.then(() => (exited = true));
  while (rowsIn() < 3 && !exited) await delay(20);
  assert.ok(!exited, 'the profile ended before it could be killed');
  child.kill('SIGKILL');
  await closed;
  const p = JSON.parse(readFileSync(file, 'utf8')) as ProfileResult;
  assert.equal(p.complete, false);
  assert.ok(p.sweep.length >= 3 && p.sweep.length < 3 * 8 * 4, `${p.sweep.length} rows`);
  for (const row of p.sweep) assert.deepEqual(row.kv_measured, row.kv_analytic);
});

test('profile refuses models it cannot measure and bad settings', () => {
  assert.match(emobench(['profile', '--model', 'nb']).stderr, /not a scratch spec/);
  assert.match(emobench(['profile', '--model', 'scratch@tiny', '--kv', 'fp8']).stderr, /--kv: "fp8"/);
  assert.match(emobench(['profile', '--model', 'scratch@tiny', '--kv-heads', '3', '--limit', '0']).stderr, /must divide/);
  assert.equal(emobench(['profile', '--model', 'scratch@tiny', '--seq', '0']).code, 2);
});
