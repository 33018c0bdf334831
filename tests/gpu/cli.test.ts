/** The README's engine=webgpu commands through the CLI (bin/emobench.js → dist). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { SampleRecord } from '../../src/results/types.js';
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
});
