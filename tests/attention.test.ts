import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { emotionTokenMask, textLift } from '../src/analysis/attention-lift.js';
import { CONFIGS } from '../src/scratch/config.js';
import { ScratchModel } from '../src/scratch/scratch-model.js';
import { trainBpe } from '../src/scratch/tokenizer.js';
import { emobench, tempDir } from './helpers/cli.js';

test('emotion words are mapped onto the tokens that spell them, in any script', async () => {
  const tok = trainBpe(['so happy today', 'happy happy joy', '本当に嬉しいです', 'this is ridiculous'], 300);
  const m = await ScratchModel.random(CONFIGS.tiny, 0, tok);
  for (const [text, words] of [
    ['I am so happy today', ['happy']],
    ['本当に嬉しいです', ['嬉しい']],
    ['This is RIDICULOUS!', ['ridiculous']],
    ['nothing here', []],
  ] as const) {
    const ids = tok.encode(text, { bos: true });
    const mask = emotionTokenMask(m, text, ids);
    const flagged = tok.decode(ids.filter((_, i) => mask[i])).toLowerCase();
    assert.equal(flagged.replace(/\s/g, ''), words.join('').toLowerCase(), text);
  }
  const lift = textLift(m, 'I am so happy today and so happy again')!;
  assert.ok(lift.mass_on > 0 && lift.mass_on < 1 && lift.mass_off > 0 && lift.mass_off < 1);
  assert.notEqual(lift.mass_on, lift.mass_off, 'β = 1 at init: the bias changes attention');
  assert.equal(textLift(m, 'nothing here'), undefined);
  m.dispose();
});

test('the token view never splits a character: Japanese and emoji pieces hold no U+FFFD and join to the text', async () => {
  const m = await ScratchModel.random(CONFIGS.tiny, 0); // byte-level tokenizer: every kana spans 3 tokens
  const text = '本当に嬉しいです😀 wow';
  const maps = m.attentionMaps(text);
  assert.equal(maps.tokens.length, maps.ids.length);
  assert.ok(maps.tokens.every((t) => !t.includes('\uFFFD')), JSON.stringify(maps.tokens));
  assert.equal(maps.tokens.join(''), `<|bos|>${text}`);
  const lift = textLift(m, text)!;
  assert.ok(lift.tokens.every((t) => !t.includes('\uFFFD')));
  m.dispose();
});

test('emobench attention reports the lift with an interval and writes a token view', () => {
  const dir = join(tempDir(), 'att');
  const r = emobench(['attention', '--model', 'scratch@tiny', '--text', 'I love this, so happy!', '--text', 'This is ridiculous and awful', '--text', 'Wow, no way!', '--out', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /attention lift on emotion words \(bias on vs off\): -?[\d.]+% \[-?[\d.]+%, -?[\d.]+%\] over 3 texts/);
  const html = readFileSync(join(dir, 'attention.html'), 'utf8');
  assert.match(html, /class="emo"/);
  assert.equal(emobench(['attention', '--model', 'scratch@tiny', '--text', 'plain words']).code, 2);
});
