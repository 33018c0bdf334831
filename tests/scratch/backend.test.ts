import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SampleRecord, Summary } from '../../src/results/types.js';
import { emobench, tempDir } from '../helpers/cli.js';

/** The emotion suite on scratch@tiny, classify and generate, in a CLI process with these wasm threads. */
function run(threads: string | undefined): { device: string; samples: Map<string, SampleRecord> } {
  const out = join(tempDir(), 'run');
  const env = threads === undefined ? {} : { EMOBENCH_TF_THREADS: threads };
  const r = emobench(['eval', '--suite', 'emotion', '--model', 'scratch@tiny', '--model', 'scratch@tiny?head=lm', '--limit', '12', '--quiet', '--out', out], { env });
  assert.equal(r.code, 0, r.stderr); // spawnSync returns only once the process ends: the pool's workers do not hold it
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  const device = (summary.models[0]!.meta.config['engine'] as { device: string }).device;
  const lines = readFileSync(join(out, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SampleRecord);
  return { device, samples: new Map(lines.map((s) => [`${s.model} ${s.id}`, s])) };
}

test('the wasm backend runs on every core, and its results do not depend on the thread count', () => {
  const threaded = run(undefined);
  const single = run('1');
  const cores = availableParallelism();
  assert.equal(threaded.device, `cpu (wasm simd, ${cores === 1 ? 'single thread' : `${Math.min(cores, 8)} threads`})`);
  assert.equal(single.device, 'cpu (wasm simd, single thread)');
  assert.equal(threaded.samples.size, 24);
  for (const [key, a] of threaded.samples) {
    const b = single.samples.get(key)!;
    assert.equal(a.output, b.output, key);
    assert.deepEqual(a.probs, b.probs, key);
  }
  const bad = emobench(['eval', '--suite', 'emotion', '--model', 'scratch@tiny', '--limit', '2', '--quiet', '--out', join(tempDir(), 'bad')], { env: { EMOBENCH_TF_THREADS: 'two' } });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /EMOBENCH_TF_THREADS must be a positive integer, got "two"/);
});
