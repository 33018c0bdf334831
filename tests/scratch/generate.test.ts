import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { sampleToken } from '../../src/scratch/sampling.js';
import { generate, scratchTokens, type TokenEvent } from '../../src/scratch/generate.js';
import { Tokenizer } from '../../src/scratch/tokenizer.js';
import { MULTIBYTE_TEXT, scriptedEngine } from '../helpers/script-engine.js';
import { mulberry32 } from '../../src/util/rng.js';
import { tinyModel } from './helpers.js';

const PROMPTS = ['Hi', 'The weather today is lovely and', 'I am', 'Why would anyone do that? I am confused.'];

test('batched greedy generation of prompts of different lengths equals one-by-one generation', async () => {
  const model = await tinyModel();
  for (const opts of [{}, { kv: 'int8' as const }, { window: 12 }]) {
    const m = model.withOptions(opts);
    const batched = await m.generateBatch(PROMPTS, { maxNewTokens: 20 });
    for (const [i, prompt] of PROMPTS.entries()) {
      const alone = await m.generate(prompt, { maxNewTokens: 20 });
      assert.deepEqual(batched[i]!.ids, alone.ids, `${JSON.stringify(opts)} prompt ${i}`);
      assert.equal(batched[i]!.text, alone.text);
      assert.equal(batched[i]!.finishReason, alone.finishReason);
      for (let c = 0; c < 5; c++) assert.ok(Math.abs(batched[i]!.emotion[c]! - alone.emotion[c]!) < 1e-5);
    }
  }
  model.dispose();
});

test('seeded sampling is reproducible per row; temperature, top-k and top-p behave', async () => {
  const model = await tinyModel();
  const opts = { maxNewTokens: 12, temperature: 1, topP: 0.9, seed: 42 };
  const a = await model.generate('Once upon a time', opts);
  const b = await model.generate('Once upon a time', opts);
  assert.deepEqual(a.ids, b.ids);
  const c = await model.generate('Once upon a time', { ...opts, seed: 43 });
  assert.notDeepEqual(a.ids, c.ids);
  // Row r of a batch uses seed + r: row 1 with seed 42 is the single run with seed 43.
  const [, row1] = await model.generateBatch(['Once upon a time', 'Once upon a time'], opts);
  assert.deepEqual(row1!.ids, c.ids);
  // top-k 1 and a tiny top-p are greedy whatever the temperature.
  const greedy = await model.generate('Once upon a time', { maxNewTokens: 12 });
  assert.deepEqual((await model.generate('Once upon a time', { maxNewTokens: 12, temperature: 2, topK: 1, seed: 1 })).ids, greedy.ids);
  assert.deepEqual((await model.generate('Once upon a time', { maxNewTokens: 12, temperature: 2, topP: 1e-9, seed: 1 })).ids, greedy.ids);
  model.dispose();
});

test('sampleToken: frequencies follow softmax(logits / T) within top-k', () => {
  const logits = Float32Array.of(2, 1, 0, -Infinity, 0.5);
  const rand = mulberry32(1);
  const counts = [0, 0, 0, 0, 0];
  const n = 20000;
  for (let i = 0; i < n; i++) counts[sampleToken(logits, { temperature: 1, topK: 3 }, rand)]!++;
  const z = Math.exp(2) + Math.exp(1) + Math.exp(0.5);
  assert.equal(counts[3], 0);
  assert.equal(counts[2], 0); // outside the top 3
  assert.ok(Math.abs(counts[0]! / n - Math.exp(2) / z) < 0.02);
  assert.ok(Math.abs(counts[4]! / n - Math.exp(0.5) / z) < 0.02);
  assert.equal(sampleToken(logits, {}, rand), 0);
});

test('stop sequences cut the text; streaming delivers exactly the final text', async () => {
  const model = await tinyModel();
  const free = await model.generate('Tell me a story', { maxNewTokens: 24 });
  assert.ok(free.text.length >= 6, `need some text to cut: ${JSON.stringify(free.text)}`);
  const stop = free.text.slice(3, 5);
  const cut = free.text.indexOf(stop);
  const events: TokenEvent[] = [];
  const g = await model.generate('Tell me a story', { maxNewTokens: 24, stop: [stop, 'never appears'] }, (e) => events.push(e));
  assert.equal(g.finishReason, 'stop');
  assert.equal(g.text, free.text.slice(0, cut));
  assert.equal(events.map((e) => e.text).join(''), g.text);
  assert.ok(events.every((e) => e.row === 0 && e.text.length > 0));

  // Without a stop hit: every token's text arrives, and the finish reason is the token budget.
  const streamed: string[] = [];
  const full = await model.generate('Tell me a story', { maxNewTokens: 24 }, (e) => streamed.push(e.text));
  assert.equal(streamed.join(''), full.text);
  assert.equal(full.text, free.text);
  assert.ok(full.finishReason === 'length' || full.finishReason === 'eos');
  model.dispose();
});

test('generation stops at the context limit without a window, and runs past it with one', async () => {
  const model = await tinyModel();
  const long = 'x'.repeat(80); // longer than maxSeq 64: the prompt keeps its last 63 tokens
  const g = await model.generate(long, { maxNewTokens: 10 });
  assert.equal(g.promptIds.length, model.config.maxSeq - 1);
  // 63 prompt positions + 1 decoded position fill the 64; the logits there give one more token.
  assert.ok(g.ids.length <= 2 && g.finishReason !== 'stop', `${g.ids.length} tokens, ${g.finishReason}`);
  const w = await model.withOptions({ window: 16 }).generate(long, { maxNewTokens: 10 });
  assert.equal(w.promptIds.length, model.config.maxSeq);
  assert.ok(w.ids.length === 10 || w.finishReason === 'eos');
  model.dispose();
});

test('classify returns 5 probabilities at the last position; classifyBatch equals one-by-one', async () => {
  const model = await tinyModel();
  const texts = ['I am so happy!', 'This is outrageous', 'meh', 'What a surprise that was, I did not expect it at all'];
  const batch = await model.classifyBatch(texts, { batchSize: 3 });
  for (const [i, t] of texts.entries()) {
    const one = await model.classify(t);
    assert.equal(one.length, 5);
    assert.ok(Math.abs(one.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    for (let c = 0; c < 5; c++) assert.ok(Math.abs(one[c]! - batch[i]![c]!) < 1e-5);
  }
  // The emotion vector at the last position of attentionMaps is the classification.
  const maps = model.attentionMaps(texts[0]!);
  const last = maps.emotions.at(-1)!;
  for (let c = 0; c < 5; c++) assert.ok(Math.abs(last[c]! - batch[0]![c]!) < 1e-5);
  const info = model.info();
  assert.equal(info.params, 44_201);
  assert.equal(info.engine.engine, 'tfjs');
  assert.deepEqual(info.emotions, ['joy', 'anger', 'sadness', 'surprise', 'neutral']);
  model.dispose();
});

test('no tensors leak from generation, classification or attention maps', async () => {
  const model = await tinyModel();
  await model.generate('warm up', { maxNewTokens: 2 });
  const before = tf.memory().numTensors;
  await model.generateBatch(PROMPTS, { maxNewTokens: 6, temperature: 0.7, seed: 1 });
  await model.classifyBatch(PROMPTS);
  model.attentionMaps(PROMPTS[1]!);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
  assert.equal(tf.memory().numTensors, before - 21);
});

test('streaming never splits a multi-byte character: Japanese and emoji token by token, pieces join to the text', async () => {
  const tok = new Tokenizer([]); // byte-level: every non-ASCII character spans 2 to 4 tokens
  const script = tok.encode(MULTIBYTE_TEXT);
  const engine = scriptedEngine(script, { vocab: tok.vocabSize, eos: tok.eos });
  const events: TokenEvent[] = [];
  const [g] = await generate(engine, scratchTokens(tok), ['prompt'], { maxNewTokens: 100 }, (e) => events.push(e));
  assert.equal(g!.text, MULTIBYTE_TEXT);
  assert.equal(g!.finishReason, 'eos');
  assert.deepEqual(g!.ids, script);
  assert.ok(events.length > 10 && events.every((e) => e.text !== '' && !e.text.includes('\uFFFD')), JSON.stringify(events.map((e) => e.text)));
  assert.equal(events.map((e) => e.text).join(''), MULTIBYTE_TEXT);

  // A stop sequence of multi-byte characters cuts before it; a budget ending mid-character gives what decode gives.
  const cut: string[] = [];
  const [s] = await generate(engine, scratchTokens(tok), ['prompt'], { maxNewTokens: 100, stop: ['😀、'] }, (e) => cut.push(e.text));
  assert.equal(s!.text, '今日はとても嬉しい');
  assert.equal(s!.finishReason, 'stop');
  assert.equal(cut.join(''), s!.text);
  const short: string[] = [];
  const [l] = await generate(engine, scratchTokens(tok), ['prompt'], { maxNewTokens: 4 }, (e) => short.push(e.text));
  assert.equal(l!.text, tok.decode(script.slice(0, 4)));
  assert.equal(l!.text, '今\uFFFD');
  assert.equal(short.join(''), l!.text);
});
