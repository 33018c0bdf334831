/**
 * Held-out bits per byte of the scratch model's LM head, beside a byte-level n-gram reference.
 *
 *   node --import tsx bench/bpb.ts --model models/scratch --train goemotions:train.tsv [--train …] \
 *     --held goemotions:dev.tsv [--held …] [--limit 300] [--order 5]
 *
 * Scratch: −log₂ p of every token after BOS, summed, over the UTF-8 bytes those tokens spell (the
 * byte-level BPE covers each text exactly). Reference: an interpolated Witten–Bell byte n-gram
 * (order `--order`) fitted on the --train texts; each text is scored from a start-of-text context.
 * Texts longer than the model's context are skipped in both, so both score the same bytes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/datasets/load.js';
import { EMOTIONS } from '../src/scratch/config.js';
import { ScratchModel } from '../src/scratch/scratch-model.js';
import { forward, padBatch } from '../src/scratch/transformer.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/scratch' },
    train: { type: 'string', multiple: true, default: [] },
    held: { type: 'string', multiple: true, default: [] },
    limit: { type: 'string', default: '300' },
    order: { type: 'string', default: '5' },
  },
});
const limit = Number(values.limit);
const order = Number(values.order);
const texts = async (spec: string) => (await loadDataset(spec, { labels: [...EMOTIONS], lenient: true })).rows.map((r) => r.text);
const utf8 = new TextEncoder();

/** Interpolated Witten–Bell over bytes; contexts of up to order−1 bytes packed into one number. */
class ByteNgram {
  private pair = new Map<number, number>(); // ctx·256 + byte → count
  private total = new Map<number, number>(); // ctx → count
  private types = new Map<number, number>(); // ctx → distinct next bytes
  constructor(private readonly n: number) {}

  /** Key of the context made of the last k bytes before position i (256 marks start of text). */
  private ctx(bytes: Uint8Array, i: number, k: number): number {
    let key = k; // the length is part of the key, so contexts of different lengths never collide
    for (let j = i - k; j < i; j++) key = key * 257 + (j < 0 ? 256 : bytes[j]!);
    return key;
  }

  add(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      for (let k = 0; k < this.n; k++) {
        const c = this.ctx(bytes, i, k);
        const p = c * 256 + bytes[i]!;
        const seen = this.pair.get(p) ?? 0;
        if (seen === 0) this.types.set(c, (this.types.get(c) ?? 0) + 1);
        this.pair.set(p, seen + 1);
        this.total.set(c, (this.total.get(c) ?? 0) + 1);
      }
    }
  }

  bits(bytes: Uint8Array): number {
    let bits = 0;
    for (let i = 0; i < bytes.length; i++) {
      let p = 1 / 256;
      for (let k = 0; k < this.n; k++) {
        const c = this.ctx(bytes, i, k);
        const total = this.total.get(c) ?? 0;
        if (total === 0) break; // longer contexts are unseen too
        const t = this.types.get(c)!;
        p = ((this.pair.get(c * 256 + bytes[i]!) ?? 0) + t * p) / (total + t);
      }
      bits -= Math.log2(p);
    }
    return bits;
  }
}

const model = await ScratchModel.load(values.model);
const ngram = new ByteNgram(order);
for (const spec of values.train) for (const t of await texts(spec)) ngram.add(utf8.encode(t));

for (const spec of values.held) {
  let bytes = 0;
  let modelBits = 0;
  let ngramBits = 0;
  let n = 0;
  for (const t of (await texts(spec)).slice(0, limit)) {
    const ids = model.tokenizer.encode(t, { bos: true });
    if (ids.length > model.config.maxSeq || ids.length < 2) continue;
    const b = utf8.encode(t);
    const lp = tf.tidy(() => {
      const r = forward(model.weights, model.config, padBatch([ids], model.tokenizer.pad), { bias: true, logits: 'all' });
      return tf.logSoftmax(tf.reshape(r.logits!, [ids.length, model.config.vocabSize])).arraySync() as number[][];
    });
    for (let i = 0; i + 1 < ids.length; i++) modelBits -= lp[i]![ids[i + 1]!]! / Math.LN2;
    ngramBits += ngram.bits(b);
    bytes += b.length;
    n++;
  }
  console.log(`${spec}: ${n} texts, ${bytes} bytes · scratch ${(modelBits / bytes).toFixed(3)} bits/byte · byte ${order}-gram (Witten-Bell) ${(ngramBits / bytes).toFixed(3)} bits/byte`);
}
