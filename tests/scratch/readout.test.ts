import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/scratch/backend.js';
import { tiny } from '../../src/scratch/config.js';
import { readoutLogits, readoutProbs } from '../../src/scratch/readout.js';
import { forward, padBatch } from '../../src/scratch/transformer.js';
import { maxAbsDiff, PAD, tinyModel, tokens } from './helpers.js';

const softmax = (z: number[]) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

test('mean readout: probabilities alone give softmax of the mean logits over real tokens; last reads the final slot', async () => {
  await initEngine();
  const [B, T, E] = [3, 6, 5];
  const pad = Int32Array.from([0, 2, 5]);
  const logits = Array.from({ length: B * T * E }, (_, i) => Math.sin(i * 12.9898) * 6);
  const probs = new Float32Array(B * T * E);
  for (let p = 0; p < B * T; p++) probs.set(softmax(logits.slice(p * E, (p + 1) * E)), p * E);

  const viaTf = tf.tidy(() => tf.softmax(readoutLogits(tf.tensor3d(logits, [B, T, E]), pad, 'mean')).arraySync() as number[][]);
  const viaProbs = readoutProbs(probs, B, T, E, pad, 'mean');
  for (let b = 0; b < B; b++) {
    const mean = new Array<number>(E).fill(0);
    for (let t = pad[b]!; t < T; t++) for (let e = 0; e < E; e++) mean[e]! += logits[(b * T + t) * E + e]! / (T - pad[b]!);
    assert.ok(maxAbsDiff(viaTf[b]!, softmax(mean)) < 1e-5, `tf row ${b}`);
    assert.ok(maxAbsDiff(viaProbs[b]!, softmax(mean)) < 1e-5, `probs row ${b}`);
  }
  // Row 2 has one real token: both readouts are that token's own vector.
  assert.ok(maxAbsDiff(viaProbs[2]!, readoutProbs(probs, B, T, E, pad, 'last')[2]!) < 1e-6);
  const last = readoutProbs(probs, B, T, E, pad, 'last');
  for (let b = 0; b < B; b++) assert.deepEqual(last[b], Array.from(probs.subarray((b * T + T - 1) * E, (b * T + T) * E)));
});

test('classify follows the config readout, and padding in a batch does not change a text’s result', async () => {
  const rows = [tokens(9, 1), tokens(4, 2), tokens(12, 3)];
  for (const readout of ['last', 'mean'] as const) {
    const m = await tinyModel({}, { ...tiny, emotionReadout: readout });
    const texts = rows.map((r) => m.tokenizer.decode(r));
    const together = await m.classifyBatch(texts, { batchSize: 3 });
    const alone = await Promise.all(texts.map((t) => m.classify(t)));
    for (let i = 0; i < texts.length; i++) assert.ok(maxAbsDiff(together[i]!, alone[i]!) < 1e-5, `${readout} text ${i}`);
    // Against the per-position emotions of a full forward pass of that text alone.
    const ids = m.tokenizer.encode(texts[0]!, { bos: true });
    const em = tf.tidy(() => forward(m.weights, m.config, padBatch([ids], PAD), { bias: true, untilEmotion: true }).emotions.dataSync() as Float32Array);
    const want = readoutProbs(em, 1, ids.length, 5, [0], readout)[0]!;
    assert.ok(maxAbsDiff(alone[0]!, want) < 1e-5, readout);
    m.dispose();
  }
  const [a, b] = await Promise.all(['last', 'mean'].map(async (r) => {
    const m = await tinyModel({}, { ...tiny, emotionReadout: r as 'last' | 'mean' });
    const out = await m.classify(m.tokenizer.decode(rows[2]!));
    m.dispose();
    return out;
  }));
  assert.ok(maxAbsDiff(a!, b!) > 1e-4, 'the two readouts differ on a 12-token text');
});
