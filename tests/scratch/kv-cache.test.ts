import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tiny, type ModelConfig } from '../../src/scratch/config.js';
import { Decoder } from '../../src/scratch/decode.js';
import { BYTES_PER_ELEMENT, KVCache, type KvDtype } from '../../src/scratch/kv-cache.js';
import { argmax } from '../../src/util/numbers.js';
import { fullLogits, maxAbsDiff, PAD, tinyModel, tokens } from './helpers.js';

const DTYPES: KvDtype[] = ['fp32', 'fp16', 'int8'];
/** Max |Δlogit| against the fp32 cache over 32 decode steps on the tiny model (measured: fp16 1.2e-5, int8 2.2e-4). */
const TOLERANCE: Record<KvDtype, number> = { fp32: 1e-6, fp16: 2e-4, int8: 2e-3 };

/** Prefill `prompt`, then decode `steps` more tokens of `seq`; the logits after each fed token. */
function decodeLogits(dec: Decoder, dtype: KvDtype, seq: number[], prompt: number, steps: number, capacity = seq.length): Float32Array[] {
  const cache = dec.newCache(1, capacity, dtype);
  let out = dec.prefill(cache, [seq.slice(0, prompt)], PAD);
  const all = [out.logits];
  for (let t = prompt; t < prompt + steps; t++) {
    out = dec.step(cache, [seq[t]!]);
    all.push(out.logits);
  }
  return all;
}

test('fp32 cache: 32 decode steps give the logits of a full recompute (≤ 1e-4)', async () => {
  const model = await tinyModel();
  const seq = tokens(40);
  const dec = new Decoder(model.weights, model.config, { bias: true });
  const steps = decodeLogits(dec, 'fp32', seq, 8, 32);
  steps.forEach((logits, i) => {
    const full = fullLogits(model, [seq.slice(0, 8 + i)], { bias: true });
    assert.ok(maxAbsDiff(logits, full) <= 1e-4, `step ${i}: ${maxAbsDiff(logits, full)}`);
  });
  model.dispose();
});

test('fp16 and int8 caches stay within tolerance of fp32 and pick the same greedy tokens', async () => {
  const model = await tinyModel();
  const dec = new Decoder(model.weights, model.config, { bias: true });
  const seq = tokens(40, 5);
  const ref = decodeLogits(dec, 'fp32', seq, 8, 32);
  for (const dtype of ['fp16', 'int8'] as const) {
    const got = decodeLogits(dec, dtype, seq, 8, 32);
    const worst = Math.max(...got.map((l, i) => maxAbsDiff(l, ref[i]!)));
    assert.ok(worst <= TOLERANCE[dtype], `${dtype}: max |Δlogit| ${worst} > ${TOLERANCE[dtype]}`);
    assert.ok(worst > 0, `${dtype} should differ from fp32 at all`);
  }
  for (const prompt of ['Hello, how are you?', 'The cat sat', 'I feel so happy today because']) {
    const [fp32, ...others] = await Promise.all(DTYPES.map((kv) => model.withOptions({ kv }).generate(prompt, { maxNewTokens: 16 })));
    for (const g of others) assert.deepEqual(g.ids, fp32!.ids, prompt);
  }
  model.dispose();
});

test('sliding window: decode over a ring buffer equals a full recompute with the same window', async () => {
  const model = await tinyModel();
  const seq = tokens(60, 9);
  const window = 8;
  for (const dtype of DTYPES) {
    const dec = new Decoder(model.weights, model.config, { bias: true, window });
    // Prompt longer than the window: the prefill keeps only the last 8 positions.
    const steps = decodeLogits(dec, dtype, seq, 12, 40, window);
    steps.forEach((logits, i) => {
      const full = fullLogits(model, [seq.slice(0, 12 + i)], { bias: true, window });
      assert.ok(maxAbsDiff(logits, full) <= Math.max(1e-4, TOLERANCE[dtype]), `${dtype} step ${i}`);
    });
  }
  // And the window matters: without it the logits after 52 tokens are different.
  const windowed = fullLogits(model, [seq.slice(0, 52)], { bias: true, window });
  const unwindowed = fullLogits(model, [seq.slice(0, 52)], { bias: true });
  assert.ok(maxAbsDiff(windowed, unwindowed) > 1e-3);
  model.dispose();
});

test('KV bytes: exactly 2 × layers × kv_heads × head_dim × tokens × batch × bytes (+ scales, + salience)', async () => {
  const mha: ModelConfig = { ...tiny, nKvHeads: tiny.nHeads };
  for (const cfg of [tiny, mha]) {
    const model = await tinyModel({}, cfg);
    const hd = cfg.dModel / cfg.nHeads;
    const biasLayers = cfg.nLayers - 1 - cfg.emotionLayer;
    for (const kv of DTYPES) {
      for (const window of [undefined, 6]) {
        for (const bias of [true, false]) {
          const m = model.withOptions({ kv, window, bias });
          const prompts = ['Hi', 'A somewhat longer prompt'];
          const maxNewTokens = 5;
          const gens = await m.generateBatch(prompts, { maxNewTokens });
          const bytes = m.kvBytes()!;
          const promptLen = Math.max(...gens.map((g) => g.promptIds.length));
          const capacity = Math.min(promptLen + maxNewTokens, window ?? cfg.maxSeq);
          const written = promptLen + gens[0]!.timing.decodeSteps; // prefill, then one position per step
          const tokens = Math.min(written, capacity);
          const B = prompts.length;
          const per = (n: number) => ({
            kv: 2 * cfg.nLayers * cfg.nKvHeads * hd * n * B * BYTES_PER_ELEMENT[kv],
            scales: kv === 'int8' ? 2 * cfg.nLayers * cfg.nKvHeads * n * B * 4 : 0,
            salience: bias ? biasLayers * n * B * cfg.nEmotions * 4 : 0,
          });
          const label = `${cfg.nKvHeads} kv heads, ${kv}, window ${window}, bias ${bias}`;
          for (const [which, n] of [['allocated', capacity], ['used', tokens]] as const) {
            const want = per(n);
            const got = bytes[which];
            assert.equal(got.k + got.v, want.kv, `${label}: ${which} k+v`);
            assert.equal(got.k, got.v);
            assert.equal(got.scales, want.scales, `${label}: ${which} scales`);
            assert.equal(got.salience, want.salience, `${label}: ${which} salience`);
            assert.equal(got.total, want.kv + want.scales + want.salience);
          }
          assert.equal(bytes.capacity, capacity);
          assert.equal(bytes.tokens, tokens);
          // The size of a cache for a given shape, without generating: the same allocation.
          assert.deepEqual(m.kvBytes({ tokens: promptLen + maxNewTokens, batch: B })!.allocated, bytes.allocated);
        }
      }
    }
    model.dispose();
  }
});

test('int8 quantisation: per-token-per-head absmax scales, error ≤ scale / 2', () => {
  const cache = new KVCache({ nLayers: 1, nKvHeads: 2, headDim: 4, batch: 1, capacity: 3, dtype: 'int8', salienceLayers: [], nEmotions: 5 });
  const k = Float32Array.of(0.5, -2, 1, 0.25);
  const v = Float32Array.of(0, 0, 0, 0);
  cache.length = 1;
  cache.write(0, 0, 1, 0, k, v);
  const dequantised = (which: 'k' | 'v') => {
    const { values, scales } = cache.read(which, 0, 0, 1);
    assert.ok(values instanceof Int8Array && scales !== undefined);
    return Array.from(values.subarray(0, 4), (q) => Math.fround(q * scales[0]!)); // as float32, like the stored scale
  };
  const back = dequantised('k');
  const scale = 2 / 127;
  assert.ok(maxAbsDiff(back, k) <= scale / 2 + 1e-7);
  assert.equal(back[1], -2); // the absmax element is exact
  assert.deepEqual(dequantised('v'), [0, 0, 0, 0]); // all-zero head: scale 0, no NaN
});

test('grouped-query cache stores only the kv heads', () => {
  const make = (nKvHeads: number) =>
    new KVCache({ nLayers: 2, nKvHeads, headDim: 8, batch: 3, capacity: 10, dtype: 'fp16', salienceLayers: [], nEmotions: 5 }).bytes();
  assert.equal(make(2).allocated.k * 2, make(4).allocated.k);
  assert.equal(make(2).allocated.k, 2 * 2 * 8 * 10 * 3 * 2);
});
