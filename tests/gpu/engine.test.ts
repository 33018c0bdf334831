/**
 * engine=webgpu against the tfjs engine on the tiny config: logits, greedy generation, cached
 * decode against full recompute, reduced-precision caches, GPU memory accounting, and no buffer
 * left behind. Bounds: logits ≤ 1e-3 absolute against tfjs (fp32 weights and cache); an fp16
 * cache ≤ 2e-3 and an int8 cache ≤ 3e-2 relative to the fp32 cache's logits after 12 steps.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GpuScratchEngine, type GpuEngineOptions } from '../../src/gpu/engine.js';
import { createModel } from '../../src/models/registry.js';
import { tiny } from '../../src/scratch/config.js';
import { cacheSpec } from '../../src/scratch/decode.js';
import { kvByteCounts, type KvDtype } from '../../src/scratch/kv-cache.js';
import type { ScratchModel } from '../../src/scratch/scratch-model.js';
import { Tokenizer } from '../../src/scratch/tokenizer.js';
import { mapWeights, type Weights } from '../../src/scratch/weights.js';
import { fullLogits, maxAbsDiff, PAD, tinyModel, tokens } from '../scratch/helpers.js';
import { relErr, skipGpu } from './helpers.js';

describe('engine=webgpu', { skip: skipGpu }, () => {
  let tf: ScratchModel;
  let weights: Weights<Float32Array>;
  const engines: GpuScratchEngine[] = [];
  const engine = async (o: Partial<GpuEngineOptions> = {}): Promise<GpuScratchEngine> => {
    const e = await GpuScratchEngine.create(tiny, weights, new Tokenizer([]), { kv: 'fp32', bias: true, weights: 'fp32', ...o });
    engines.push(e);
    return e;
  };
  before(async () => {
    tf = await tinyModel();
    weights = mapWeights(tf.weights, (_n, v) => v.dataSync() as Float32Array);
  });
  after(() => {
    for (const e of engines) e.dispose();
    tf.dispose();
  });

  test('prefill logits match the tfjs forward (bias on/off, window, left-padded batch)', async () => {
    const rows = [tokens(21), tokens(6, 1), tokens(13, 2)];
    for (const o of [{ bias: true }, { bias: false }, { bias: true, window: 8 }]) {
      const e = await engine(o);
      const cache = e.model.newCache(rows.length, 40, 'fp32');
      const out = await e.model.prefill(cache, rows, PAD);
      cache.destroy();
      const ref = fullLogits(tf, rows, o);
      assert.ok(maxAbsDiff(out.logits, ref) <= 1e-3, `${JSON.stringify(o)}: ${maxAbsDiff(out.logits, ref)}`);
    }
  });

  test('KV-cached decode equals full recompute, and tfjs', async () => {
    const e = await engine();
    const rows = [tokens(9), tokens(4, 3)];
    const cache = e.model.newCache(2, 30, 'fp32');
    await e.model.prefill(cache, rows, PAD);
    const seqs = rows.map((r) => [...r]);
    for (let s = 0; s < 8; s++) {
      const next = [40 + s, 90 + s];
      const step = await e.model.step(cache, next);
      seqs.forEach((q, b) => q.push(next[b]!));
      const again = e.model.newCache(2, 30, 'fp32');
      const full = await e.model.prefill(again, seqs, PAD);
      again.destroy();
      assert.ok(relErr(step.logits, full.logits) <= 1e-4, `step ${s}: ${relErr(step.logits, full.logits)}`);
      assert.ok(maxAbsDiff(step.logits, fullLogits(tf, seqs, { bias: true })) <= 1e-3);
    }
    cache.destroy();
  });

  test('32 greedy tokens identical to the tfjs engine, batched and alone', async () => {
    const e = await engine();
    const prompts = ['Dear diary, today', 'I am so'];
    const opts = { maxNewTokens: 32, temperature: 0, ignoreEos: true };
    const want = await tf.generateBatch(prompts, opts);
    const got = await e.generateBatch(prompts, opts);
    assert.deepEqual(
      got.map((g) => g.ids),
      want.map((g) => g.ids),
    );
    assert.equal(got[0]!.ids.length, 32);
    assert.deepEqual((await e.generate(prompts[1]!, opts)).ids, want[1]!.ids);
    // Sampled: the same seeded stream over the same logits picks the same tokens.
    const sampled = { maxNewTokens: 16, temperature: 0.8, topP: 0.9, seed: 5 };
    assert.deepEqual((await e.generate(prompts[0]!, sampled)).ids, (await tf.generate(prompts[0]!, sampled)).ids);
  });

  test('fp16 and int8 caches stay within their bound of the fp32 cache', async () => {
    const e = await engine();
    const rows = [tokens(15)];
    const run = async (dtype: KvDtype) => {
      const cache = e.model.newCache(1, 40, dtype);
      let out = await e.model.prefill(cache, rows, PAD);
      for (let s = 0; s < 12; s++) out = await e.model.step(cache, [50 + s]);
      cache.destroy();
      return out.logits;
    };
    const fp32 = await run('fp32');
    for (const [dtype, bound] of [
      ['fp16', 2e-3],
      ['int8', 3e-2],
    ] as const) {
      const err = relErr(await run(dtype), fp32);
      assert.ok(err > 0 && err <= bound, `${dtype}: ${err}`);
    }
  });

  test('the allocator holds exactly the analytic KV bytes, and nothing leaks over 100 generations', async () => {
    const e = await engine({ kv: 'int8' });
    for (const dtype of ['fp32', 'fp16', 'int8'] as KvDtype[]) {
      const before = e.gpuBytes();
      const cache = e.model.newCache(3, 24, dtype);
      const held = e.gpuBytes();
      const want = kvByteCounts(cacheSpec(tiny, true, 3, 24, dtype), 24);
      assert.equal(held.kv - before.kv, want.k + want.v);
      assert.equal(held['kv-scales'] - before['kv-scales'], want.scales);
      assert.equal(held.salience - before.salience, want.salience);
      assert.deepEqual(cache.bytes().allocated, want);
      cache.destroy();
      assert.deepEqual(e.gpuBytes(), before);
    }
    // The workspace grows to the largest shape seen; warm it to the loop's largest.
    await e.generateBatch(['prompt 99', 'x'], { maxNewTokens: 3, ignoreEos: true });
    const live = e.alloc.liveBuffers();
    const held = e.gpuBytes();
    for (let i = 0; i < 100; i++) await e.generateBatch([`prompt ${i}`, 'x'], { maxNewTokens: 3, ignoreEos: true });
    assert.equal(e.alloc.liveBuffers(), live);
    assert.deepEqual(e.gpuBytes(), held);
    e.dispose();
    engines.splice(engines.indexOf(e), 1);
    assert.equal(e.alloc.liveBuffers(), 0);
    assert.equal(e.alloc.total(), 0);
  });

  test('weights=f16 and weights=int8 generate close to fp32', async () => {
    const rows = [tokens(11)];
    const logits = async (w: 'fp32' | 'f16' | 'int8') => {
      const e = await engine({ weights: w });
      const cache = e.model.newCache(1, 12, 'fp32');
      const out = await e.model.prefill(cache, rows, PAD);
      cache.destroy();
      return { logits: out.logits, bytes: e.weightBytes() };
    };
    const fp32 = await logits('fp32');
    const f16 = await logits('f16');
    const int8 = await logits('int8');
    assert.ok(relErr(f16.logits, fp32.logits) <= 2e-3, `f16 ${relErr(f16.logits, fp32.logits)}`);
    assert.ok(relErr(int8.logits, fp32.logits) <= 5e-2, `int8 ${relErr(int8.logits, fp32.logits)}`);
    assert.ok(f16.bytes < fp32.bytes && int8.bytes < f16.bytes);
  });

  test('through the harness: scratch@tiny?engine=webgpu classifies as engine=tfjs and records its adapter', async () => {
    const texts = ['I love this', 'this is outrageous', 'the bus leaves at 5', 'no way!'];
    const labels = ['joy', 'anger', 'sadness', 'surprise', 'neutral'];
    const gpuModel = await createModel('scratch@tiny?engine=webgpu');
    const tfModel = await createModel('scratch@tiny');
    const a = await gpuModel.classify!(texts, labels);
    const b = await tfModel.classify!(texts, labels);
    assert.deepEqual(
      a.map((x) => x.label),
      b.map((x) => x.label),
    );
    a.forEach((x, i) => assert.ok(maxAbsDiff(x.probs!, b[i]!.probs!) <= 1e-4));
    const engineMeta = gpuModel.meta().config['engine'] as { engine: string; adapter: { vendor: string } };
    assert.equal(engineMeta.engine, 'webgpu');
    assert.equal(typeof engineMeta.adapter.vendor, 'string');
    assert.equal(gpuModel.footprint!().kv_bytes_per_context_token, tfModel.footprint!().kv_bytes_per_context_token);
    await gpuModel.close?.();
    await tfModel.close?.();
  });
});
