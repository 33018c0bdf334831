import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { SPECIAL_TOKENS, Tokenizer, trainBpe } from '../../src/scratch/tokenizer.js';
import { mulberry32 } from '../../src/util/rng.js';
import { tempDir } from '../helpers/cli.js';

const CORPUS = [
  'I am so happy today! The weather is lovely and the coffee is great.',
  "I'm not happy about this at all. It's frustrating and I feel angry.",
  'That movie was amazing, I laughed and cried. Thank you for the recommendation!',
  'Why would anyone do that? I am confused and a little scared.',
  'Congratulations on the new job!!! So proud of you 🎉🎉',
  'Ugh, the train is late again. This is so annoying 😤',
  'I love this song so much ❤️ it makes me happy every time.',
  '今日はとても楽しかったです！ありがとうございました。',
  'この映画は本当に感動しました。また見たいです。',
  'コーヒーを飲みながら、ゆっくり本を読んでいます。',
  '電車がまた遅れている。本当にイライラする😤',
  '新しい仕事が決まりました！とても嬉しいです🎉',
  'なんでそんなことをするの？意味がわからない。',
  '友達とカラオケに行って、たくさん歌いました。楽しかった！',
];
const TRAINING_TEXTS = Array.from({ length: 4 }, () => CORPUS).flat();
const tok = trainBpe(TRAINING_TEXTS, 600);

/** What TextEncoder makes of a string: each lone surrogate becomes U+FFFD (String.prototype.toWellFormed). */
const wellFormed = (s: string) => s.replace(/\p{Cs}/gu, '\uFFFD');

/** Random strings built from the pieces that trip tokenizers up. */
function randomText(rand: () => number): string {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]) => items[int(0, items.length - 1)]!;
  const cp = (lo: number, hi: number) => String.fromCodePoint(int(lo, hi));
  const pieces: (() => string)[] = [
    () => cp(0x20, 0x7e),
    () => pick(CORPUS).slice(int(0, 20), int(20, 60)),
    () => pick([' ', '  ', '\n', '\t', '\r\n', '\u3000', '\u00a0', '']),
    () => cp(0x3041, 0x3096), // hiragana
    () => cp(0x30a1, 0x30fa) + pick(['', 'ー']), // katakana
    () => cp(0x4e00, 0x9fff), // kanji
    () => cp(0x20000, 0x2a6df), // rare kanji outside the BMP
    () => cp(0x1f600, 0x1f64f), // emoji
    () => '👍' + cp(0x1f3fb, 0x1f3ff), // skin tone
    () => pick(['👨‍👩‍👧‍👦', '👩🏽‍💻', '🏳️‍🌈', '❤️', '1️⃣', '🇯🇵']), // ZWJ, VS16, keycap, flag
    () => pick(['e', 'a', 'か', 'ー', '']) + cp(0x0300, 0x036f) + pick(['', '\u3099']), // combining marks
    () => cp(0xd800, 0xdbff), // lone high surrogate (may pair with a following low one)
    () => cp(0xdc00, 0xdfff), // lone low surrogate
    () => pick(['\ufeff', '\u0000', '\u200d', '\ufffd', '<|eos|>', '\u{10ffff}']),
  ];
  return Array.from({ length: int(0, 30) }, () => pick(pieces)()).join('');
}

test('decode(encode(s)) returns s, with lone surrogates as U+FFFD', () => {
  const rand = mulberry32(1234);
  let withLoneSurrogates = 0;
  for (let i = 0; i < 1000; i++) {
    const s = randomText(rand);
    if (wellFormed(s) !== s) withLoneSurrogates++;
    const ids = tok.encode(s);
    assert.ok(ids.every((id) => id >= 3 && id < tok.vocabSize), `ids out of range for ${JSON.stringify(s)}`);
    assert.equal(tok.decode(ids), wellFormed(s), `case ${i}: ${JSON.stringify(s)}`);
  }
  assert.ok(withLoneSurrogates > 50, 'the generator should produce lone surrogates');
  assert.equal(tok.decode(tok.encode('a\ud800b\udc00')), 'a\ufffdb\ufffd');
});

test('merges compress the training text', () => {
  const text = CORPUS.join('\n');
  const bytes = new TextEncoder().encode(text).length;
  const tokens = tok.encode(text).length;
  assert.ok(tok.vocabSize > 400, `learned only ${tok.vocabSize - 259} merges`);
  assert.ok(tokens < bytes / 2, `${tokens} tokens for ${bytes} bytes`);
  assert.equal(tok.decode(tok.encode(text)), text);
});

test('merges never cross chunk boundaries', () => {
  // No token may mix a space-led word with the word after it, or kanji with kana.
  for (let id = 259; id < tok.vocabSize; id++) {
    const piece = tok.tokenToString(id);
    assert.doesNotMatch(piece, /\S /u, `token ${id} ${JSON.stringify(piece)}`);
    assert.doesNotMatch(piece, /\p{sc=Han}\p{sc=Hiragana}|\p{sc=Hiragana}\p{sc=Han}/u, `token ${id} ${JSON.stringify(piece)}`);
  }
});

test('special tokens', () => {
  assert.deepEqual([tok.bos, tok.eos, tok.pad], [0, 1, 2]);
  assert.deepEqual([0, 1, 2].map((id) => tok.tokenToString(id)), [...SPECIAL_TOKENS]);
  const ids = tok.encode('hello', { bos: true, eos: true });
  assert.equal(ids[0], tok.bos);
  assert.equal(ids.at(-1), tok.eos);
  assert.equal(tok.decode(ids), 'hello');
  assert.equal(tok.decode([...ids, tok.pad], { skipSpecialTokens: false }), '<|bos|>hello<|eos|><|pad|>');
  // Text that spells a special token is just text.
  assert.ok(tok.encode('<|eos|>').every((id) => id >= 3));
  assert.equal(tok.tokenToString(3 + 0x41), 'A');
  assert.throws(() => tok.decode([tok.vocabSize]), /outside the vocabulary/);
});

test('toJSON is a Hugging Face byte-level BPE, and fromJSON reads it back', async () => {
  const json = tok.toJSON();
  assert.equal(json.model.type, 'BPE');
  assert.equal(json.model.vocab['Ġ'], 3 + 0x20); // GPT-2 byte-to-unicode: space is Ġ
  assert.equal(json.model.merges.length, tok.vocabSize - 259);
  assert.match(json.model.merges[0]!, /^\S+ \S+$/);
  assert.deepEqual(json.pre_tokenizer, { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false });

  const back = Tokenizer.fromJSON(JSON.parse(JSON.stringify(json)));
  const path = join(tempDir(), 'tokenizer.json');
  await tok.save(path);
  const loaded = await Tokenizer.load(path);
  const rand = mulberry32(99);
  for (const s of [...CORPUS, ...Array.from({ length: 200 }, () => randomText(rand))]) {
    assert.deepEqual(back.encode(s), tok.encode(s));
    assert.deepEqual(loaded.encode(s), tok.encode(s));
  }
  assert.deepEqual(back.toJSON(), json);

  // Newer HF files write merges as pairs.
  const pairs = structuredClone(json) as unknown as { model: { merges: unknown[] } };
  pairs.model.merges = json.model.merges.map((m) => m.split(' '));
  assert.deepEqual(Tokenizer.fromJSON(pairs).merges, tok.merges);
});

test('fromJSON names the malformed field', () => {
  assert.throws(() => Tokenizer.fromJSON('tokenizer', 'tok.json'), /^UserError: tok\.json: \(root\) must be a JSON object/);
  const cases: [string, (j: any) => void, RegExp][] = [
    ['no model', (j) => delete j.model, /model must be an object/],
    ['wrong model type', (j) => void (j.model.type = 'WordPiece'), /model\.type must be "BPE"/],
    ['vocab not an object', (j) => void (j.model.vocab = []), /model\.vocab must be an object/],
    ['non-integer id', (j) => void (j.model.vocab['Ġ'] = 'x'), /model\.vocab\["Ġ"\] must be an integer/],
    ['merges missing', (j) => delete j.model.merges, /model\.merges must be an array/],
    ['merge without space', (j) => void (j.model.merges[0] = 'abc'), /model\.merges\[0\] must be "left right"/],
    ['merge of unknown token', (j) => void (j.model.merges[1] = 'Ġ zzzz'), /model\.merges\[1\] part "zzzz"/],
    ['merges out of order', (j) => j.model.merges.reverse(), /model\.merges\[0\]/],
    ['extra merge', (j) => j.model.merges.push('a b'), /model\.merges has \d+ entries/],
    ['no special tokens', (j) => void (j.added_tokens = []), /added_tokens must contain \{"id": 0, "content": "<\|bos\|>"\}/],
    ['bytes swapped', (j) => void ([j.model.vocab.a, j.model.vocab.b] = [j.model.vocab.b, j.model.vocab.a]), /model\.vocab must map byte 0x61/],
  ];
  for (const [name, mutate, message] of cases) {
    const json = structuredClone(tok.toJSON());
    mutate(json);
    assert.throws(() => Tokenizer.fromJSON(json, 'tok.json'), (err: Error) => {
      assert.match(err.message, /^tok\.json: /, name);
      assert.match(err.message, message, name);
      return true;
    });
  }
});

test('training is deterministic and respects vocabSize and minFrequency', () => {
  const progress: number[] = [];
  const again = trainBpe(TRAINING_TEXTS, 600, { onProgress: (n) => progress.push(n) });
  assert.deepEqual(again.merges, tok.merges);
  assert.equal(progress.length, tok.merges.length);
  assert.equal(progress.at(-1), tok.merges.length);

  assert.equal(trainBpe(TRAINING_TEXTS, 300).vocabSize, 300);
  assert.equal(trainBpe(TRAINING_TEXTS, 259).vocabSize, 259);
  // The corpus is too small for any pair to occur 1000 times, so nothing merges.
  assert.equal(trainBpe(TRAINING_TEXTS, 600, { minFrequency: 1000 }).vocabSize, 259);
  assert.throws(() => trainBpe(TRAINING_TEXTS, 100), /vocabSize must be an integer/);
});

test('textStream: a character split across tokens comes out whole; the pieces join to decode(ids)', () => {
  const text = '今日はとても嬉しい😀、café で 👍🏽 ありがとう！';
  for (const t of [new Tokenizer([]), tok]) {
    const ids = t.encode(text, { bos: true });
    assert.ok(ids.some((id) => t.tokenToString(id).includes('\uFFFD')), 'some token holds part of a character');
    const stream = t.textStream();
    const pieces = ids.map((id) => stream.push(id));
    assert.ok(pieces.every((p) => !p.includes('\uFFFD')), JSON.stringify(pieces));
    assert.equal(pieces.join('') + stream.flush(), text);
    // The attention view's pieces: one per token, BOS shown, no half characters.
    const shown = t.pieces(ids);
    assert.equal(shown.length, ids.length);
    assert.ok(shown.every((p) => !p.includes('\uFFFD')));
    assert.equal(shown.join(''), `<|bos|>${text}`);
  }
  // Arbitrary bytes, invalid UTF-8 included: the stream gives exactly what decode gives.
  const rand = mulberry32(9);
  for (let trial = 0; trial < 200; trial++) {
    const ids = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => (rand() < 0.1 ? 1 : 3 + Math.floor(rand() * 256)));
    const stream = tok.textStream();
    assert.equal(ids.map((id) => stream.push(id)).join('') + stream.flush(), tok.decode(ids), JSON.stringify(ids));
  }
});
