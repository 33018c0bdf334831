/** The README's engine=webgpu commands through the CLI (bin/emobench.js → dist). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ProfileResult, SampleRecord } from '../../src/results/types.js';
import { emobench, tempDir } from '../helpers/cli.js';
import { skipGpu } from './helpers.js';

describe('engine=webgpu from the CLI', { skip: skipGpu }, () => {
  test('eval --suite emotion: scratch?engine=webgpu predicts what scratch (tfjs) predicts', () => {
    const out = join(tempDir(), 'run');
    const r = emobench(['eval', '--suite', 'emotion', '--model', 'scratch', '--model', 'scratch?engine=webgpu', '--limit', '12', '--quiet', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const samples = readFileSync(join(out, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SampleRecord);
    const preds = (model: string) => new Map(samples.filter((s) => s.model === model).map((s) => [s.id, s.pred]));
    const tfjs = preds('scratch');
    const gpu = preds('scratch?engine=webgpu');
    assert.equal(tfjs.size, 12);
    assert.deepEqual(gpu, tfjs);
  });

  test('profile: GPU bytes by purpose, KV measured = analytic, activations grow with the prompt', () => {
    const dir = join(tempDir(), 'p');
    const r = emobench(['profile', '--model', 'scratch@tiny?engine=webgpu', '--kv', 'fp32,int8', '--seq', '16,48', '--decode-steps', '2', '--out', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as ProfileResult;
    assert.match(p.device!, /\S/);
    assert.equal(p.sweep.length, 4);
    for (const row of p.sweep) {
      assert.deepEqual(row.kv_measured, row.kv_analytic);
      const g = row.gpu_bytes!;
      assert.equal(g.kv, row.kv_measured.k + row.kv_measured.v);
      assert.equal(g['kv-scales'], row.kv_measured.scales);
      assert.equal(g.weights, row.weights_bytes);
      assert.ok(g.activations > 0 && g.staging > 0);
    }
    const at = (kv: string, seq: number) => p.sweep.find((x) => x.kv === kv && x.seq === seq)!;
    assert.ok(at('fp32', 48).gpu_bytes!.activations > at('fp32', 16).gpu_bytes!.activations);
    assert.ok(at('int8', 48).kv_saving_pct > 60);
  });
});

test('engine=webgpu without an adapter: exit 2 naming what to install, no CPU fall-back', () => {
  const r = emobench(['eval', '--suite', 'emotion', '--model', 'scratch@tiny?engine=webgpu', '--limit', '1', '--out', join(tempDir(), 'r')], { env: { VK_ICD_FILENAMES: '/nonexistent/icd.json' } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /no WebGPU adapter.*install-lavapipe\.sh/);
});
