import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { countParams, paper, small, tiny, type ModelConfig } from '../../src/scratch/config.js';
import { Decoder } from '../../src/scratch/decode.js';
import { forward, padBatch } from '../../src/scratch/transformer.js';
import { weightEntries, weightTable } from '../../src/scratch/weights.js';
import { maxAbsDiff, namedWeights, PAD, tinyModel, tokens } from './helpers.js';

/**
 * The model written out a second time as naive loops over positions, heads and dims, in float64,
 * from nothing but the weight names and the documented layout (wqkv columns q|k|v, head-major;
 * RoPE pairs (i, i + hd/2); wGateUp columns gate|up; emotion head after block emotionLayer).
 */
function naive(cfg: ModelConfig, W: Map<string, Float32Array>, ids: number[], opts: { bias: boolean }) {
  const w = (name: string): Float32Array => {
    const a = W.get(name);
    if (a === undefined) throw new Error(`no weight ${name}`);
    return a;
  };
  const d = cfg.dModel;
  const H = cfg.nHeads;
  const Hkv = cfg.nKvHeads;
  const hd = d / H;
  const F = cfg.dFF;
  const E = cfg.nEmotions;
  const T = ids.length;
  const matvec = (x: number[], M: Float32Array, rows: number, cols: number): number[] => {
    const out = new Array<number>(cols).fill(0);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c]! += x[r]! * M[r * cols + c]!;
    return out;
  };
  const rms = (x: number[], g: Float32Array): number[] => {
    const ms = x.reduce((s, v) => s + v * v, 0) / x.length;
    return x.map((v, i) => (v / Math.sqrt(ms + cfg.normEps)) * g[i]!);
  };
  const rope = (v: number[], pos: number): number[] => {
    const out = v.slice();
    for (let i = 0; i < hd / 2; i++) {
      const a = pos / Math.pow(cfg.ropeTheta, (2 * i) / hd);
      out[i] = v[i]! * Math.cos(a) - v[i + hd / 2]! * Math.sin(a);
      out[i + hd / 2] = v[i]! * Math.sin(a) + v[i + hd / 2]! * Math.cos(a);
    }
    return out;
  };
  const softmax = (x: number[]): number[] => {
    const m = Math.max(...x);
    const e = x.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };

  const emb = w('embed');
  const x = ids.map((id) => Array.from(emb.subarray(id * d, (id + 1) * d)));
  const emotions: number[][] = [];
  const attention: number[][][][] = []; // [layer][head][i][j]
  for (let l = 0; l < cfg.nLayers; l++) {
    const p = `blocks.${l}.`;
    const h = x.map((xt) => rms(xt, w(p + 'attnNorm')));
    const qkv = h.map((ht) => matvec(ht, w(p + 'wqkv'), d, (H + 2 * Hkv) * hd));
    const q = qkv.map((r, t) => Array.from({ length: H }, (_, hh) => rope(r.slice(hh * hd, (hh + 1) * hd), t)));
    const k = qkv.map((r, t) => Array.from({ length: Hkv }, (_, hh) => rope(r.slice((H + hh) * hd, (H + hh + 1) * hd), t)));
    const v = qkv.map((r) => Array.from({ length: Hkv }, (_, hh) => r.slice((H + Hkv + hh) * hd, (H + Hkv + hh + 1) * hd)));
    const useBias = opts.bias && l > cfg.emotionLayer;
    const s = useBias ? h.map((ht) => matvec(ht, w(p + 'salience'), d, E)) : [];
    attention.push(Array.from({ length: H }, () => []));
    for (let t = 0; t < T; t++) {
      const o: number[] = [];
      for (let hh = 0; hh < H; hh++) {
        const kv = Math.floor(hh / (H / Hkv));
        const scores: number[] = [];
        for (let j = 0; j <= t; j++) {
          let sc = q[t]![hh]!.reduce((acc, qi, i) => acc + qi * k[j]![kv]![i]!, 0) / Math.sqrt(hd);
          if (useBias) sc += w(p + 'beta')[hh]! * emotions[t]!.reduce((acc, e, c) => acc + e * s[j]![c]!, 0);
          scores.push(sc);
        }
        const pr = softmax(scores);
        attention[l]![hh]!.push(pr);
        for (let i = 0; i < hd; i++) o.push(pr.reduce((acc, pj, j) => acc + pj * v[j]![kv]![i]!, 0));
      }
      const ao = matvec(o, w(p + 'wo'), d, d);
      for (let i = 0; i < d; i++) x[t]![i]! += ao[i]!;
      const gu = matvec(rms(x[t]!, w(p + 'mlpNorm')), w(p + 'wGateUp'), d, 2 * F);
      const act = Array.from({ length: F }, (_, i) => (gu[i]! / (1 + Math.exp(-gu[i]!))) * gu[F + i]!);
      const mo = matvec(act, w(p + 'wDown'), F, d);
      for (let i = 0; i < d; i++) x[t]![i]! += mo[i]!;
      if (l === cfg.emotionLayer) {
        const lg = matvec(rms(x[t]!, w('emotion.norm')), w('emotion.head'), d, E).map((z, c) => z + w('emotion.headBias')[c]!);
        const e = softmax(lg);
        emotions[t] = e;
        const back = matvec(e, w('emotion.proj'), E, d);
        for (let i = 0; i < d; i++) x[t]![i]! += back[i]!;
      }
    }
  }
  const logits = x.map((xt) => matvec(rms(xt, w('finalNorm')), w('lmHead'), d, cfg.vocabSize));
  return { logits, emotions, attention };
}

test('parameter count: the table, countParams and the paper figure agree', () => {
  for (const cfg of [paper, small, tiny]) {
    const fromTable = weightEntries(weightTable(cfg)).reduce((n, [, spec]) => n + spec.shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(countParams(cfg), fromTable);
  }
  assert.equal(countParams(paper), 93_152_357);
});

for (const bias of [false, true]) {
  test(`full forward and decode equal an independent naive transformer (bias ${bias ? 'on' : 'off'})`, async () => {
    const model = await tinyModel({ bias });
    // Larger salience than at init, so the bias term moves attention visibly and any error in it shows.
    for (const b of model.weights.blocks) b.salience?.assign(tf.mul(b.salience, 30));
    const ids = tokens(12);
    const ref = naive(model.config, namedWeights(model), ids, { bias });

    const r = tf.tidy(() => {
      const out = forward(model.weights, model.config, padBatch([ids], PAD), { bias, logits: 'all' });
      return { logits: out.logits!, emotions: out.emotions };
    });
    const logits = r.logits.dataSync();
    const emotions = r.emotions.dataSync();
    tf.dispose([r.logits, r.emotions]);
    const V = model.config.vocabSize;
    const E = model.config.nEmotions;
    for (let t = 0; t < ids.length; t++) {
      assert.ok(maxAbsDiff(logits.subarray(t * V, (t + 1) * V), ref.logits[t]!) <= 1e-4, `logits at ${t}`);
      assert.ok(maxAbsDiff(emotions.subarray(t * E, (t + 1) * E), ref.emotions[t]!) <= 1e-5, `emotions at ${t}`);
    }

    // The decode path (prefill of 1 token, then one step per token) reaches the same numbers.
    const dec = new Decoder(model.weights, model.config, { bias });
    const cache = dec.newCache(1, ids.length, 'fp32');
    let out = dec.prefill(cache, [ids.slice(0, 1)], PAD);
    for (let t = 1; t <= ids.length; t++) {
      assert.ok(maxAbsDiff(out.logits, ref.logits[t - 1]!) <= 1e-4, `decode logits at ${t - 1}`);
      assert.ok(maxAbsDiff(out.emotions, ref.emotions[t - 1]!) <= 1e-5, `decode emotions at ${t - 1}`);
      if (t < ids.length) out = dec.step(cache, [ids[t]!]);
    }
    model.dispose();
  });
}

test('attention maps: rows sum to 1, causal, match the naive maps; the bias changes them only when β ≠ 0', async () => {
  const model = await tinyModel();
  const text = 'I am so happy and so angry';
  const on = model.attentionMaps(text, { bias: true });
  const off = model.attentionMaps(text, { bias: false });
  const T = on.tokens.length;
  assert.equal(T, on.ids.length);
  assert.equal(on.tokens[0], '<|bos|>');
  assert.equal(on.emotions.length, T);
  const ref = naive(model.config, namedWeights(model), on.ids, { bias: true });
  for (const [l, layer] of on.attention.entries()) {
    assert.equal(layer.length, model.config.nHeads);
    for (const [h, map] of layer.entries()) {
      for (let i = 0; i < T; i++) {
        let sum = 0;
        for (let j = 0; j < T; j++) {
          const p = map[i * T + j]!;
          if (j > i) assert.equal(p, 0, `future key ${j} from query ${i}`);
          else assert.ok(Math.abs(p - ref.attention[l]![h]![i]![j]!) < 1e-5);
          sum += p;
        }
        assert.ok(Math.abs(sum - 1) < 1e-5);
      }
    }
  }
  // Blocks up to the emotion layer have no bias; later ones differ (β initialised to 1).
  const diff = (l: number) => Math.max(...on.attention[l]!.map((m, h) => maxAbsDiff(m, off.attention[l]![h]!)));
  assert.equal(diff(model.config.emotionLayer), 0);
  assert.ok(diff(model.config.nLayers - 1) > 1e-4);

  // With β = 0 the bias term vanishes: bias on and off give the same maps.
  for (const b of model.weights.blocks) b.beta?.assign(tf.zerosLike(b.beta));
  const zero = model.attentionMaps(text, { bias: true });
  for (const [l, layer] of zero.attention.entries()) for (const [h, m] of layer.entries()) assert.ok(maxAbsDiff(m, off.attention[l]![h]!) < 1e-7);
  model.dispose();
});

test('padding and batching: a left-padded row computes what it computes alone', async () => {
  const model = await tinyModel();
  const rows = [tokens(5, 1), tokens(11, 2), tokens(8, 3)];
  const batched = tf.tidy(() => forward(model.weights, model.config, padBatch(rows, PAD), { bias: true, logits: 'last' }).logits!);
  const all = batched.dataSync();
  batched.dispose();
  const V = model.config.vocabSize;
  rows.forEach((row, b) => {
    const alone = tf.tidy(() => forward(model.weights, model.config, padBatch([row], PAD), { bias: true, logits: 'last' }).logits!);
    assert.ok(maxAbsDiff(all.subarray(b * V, (b + 1) * V), alone.dataSync()) <= 1e-5);
    alone.dispose();
  });
  model.dispose();
});

test('the full forward is differentiable on this backend: gradients match finite differences', async () => {
  const model = await tinyModel({}, tiny, 3);
  const ids = tokens(9, 4);
  const input = padBatch([ids.slice(0, -1)], PAD);
  const targets = tf.tensor1d(ids.slice(1), 'int32');
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const r = forward(model.weights, model.config, input, { bias: true, logits: 'all' });
      const logp = tf.logSoftmax(tf.reshape(r.logits!, [ids.length - 1, model.config.vocabSize]));
      const lm = tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(targets, model.config.vocabSize)), 1)));
      // Emotion loss on the last position, so the emotion head and feedback get gradients too.
      const e = tf.reshape(tf.slice(r.emotionLogits, [0, ids.length - 2, 0], [1, 1, 5]), [1, 5]);
      return tf.add(lm, tf.neg(tf.sum(tf.mul(tf.logSoftmax(e), tf.oneHot(tf.tensor1d([1], 'int32'), 5))))) as tf.Scalar;
    });
  const vars = Object.fromEntries(weightEntries(model.weights));
  const { value, grads } = tf.variableGrads(loss, Object.values(vars));
  const l0 = value.dataSync()[0]!;
  assert.ok(Number.isFinite(l0));

  const byVar = new Map(Object.values(vars).map((v) => [v, grads[v.name]!]));
  // For each kind of weight, its coordinate with the largest gradient, checked by central differences.
  const probes = ['embed', 'blocks.0.wqkv', 'blocks.1.wo', 'blocks.1.wGateUp', 'blocks.1.wDown', 'blocks.1.salience', 'blocks.1.beta', 'emotion.head', 'emotion.headBias', 'emotion.proj', 'blocks.0.attnNorm', 'finalNorm', 'lmHead'];
  for (const name of probes) {
    const v = vars[name]!;
    const gAll = byVar.get(v)!.dataSync() as Float32Array;
    const index = gAll.reduce((best, x, i) => (Math.abs(x) > Math.abs(gAll[best]!) ? i : best), 0);
    const g = gAll[index]!;
    const data = v.dataSync() as Float32Array;
    const eps = 1e-2;
    const at = (delta: number): number => {
      const copy = data.slice();
      copy[index] = data[index]! + delta;
      v.assign(tf.tensor(copy, v.shape));
      const l = loss();
      const out = l.dataSync()[0]!;
      l.dispose();
      return out;
    };
    const numeric = (at(eps) - at(-eps)) / (2 * eps);
    v.assign(tf.tensor(data, v.shape));
    assert.ok(Math.abs(numeric - g) <= 5e-5 + 0.03 * Math.abs(g), `${name}[${index}]: analytic ${g}, numeric ${numeric}`);
  }
  for (const grad of Object.values(grads)) assert.ok(grad.dataSync().every(Number.isFinite));
  tf.dispose([value, targets, ...Object.values(grads)]);
  model.dispose();
});
