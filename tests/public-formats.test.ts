import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../src/datasets/load.js';
import { xedLanguage } from '../src/datasets/formats/xed.js';
import { fixtureDir } from './helpers/cli.js';

const labels = ['joy', 'anger', 'sadness', 'surprise', 'neutral'];

test('GoEmotions: Ekman grouping, single-class rule, dropped rows counted', async () => {
  // ids: 17 joy, 0 admiration(joy), 2 anger, 25 sadness, 26 surprise, 27 neutral, 14 fear (dropped)
  const dir = fixtureDir({
    'dev.tsv': ['So glad "this" worked\t17\tc1', 'Nice\t0,17\tc2', 'Ugh.\t2\tc3', 'sad day\t25\tc4', 'what?\t26\tc5', 'ok\t27\tc6', 'scary\t14\tc7', 'mixed\t17,25\tc8'].join('\n') + '\n',
  });
  const d = await loadDataset(`goemotions:${join(dir, 'dev.tsv')}`, { labels });
  assert.deepEqual(d.rows.map((r) => [r.id, r.label]), [['c1', 'joy'], ['c2', 'joy'], ['c3', 'anger'], ['c4', 'sadness'], ['c5', 'surprise'], ['c6', 'neutral']]);
  assert.equal(d.rows[0]!.text, 'So glad "this" worked');
  assert.equal(d.dropped, 2);
});

test('GoEmotions: malformed rows name file and line', async () => {
  const dir = fixtureDir({ 'a.tsv': 'fine\t17\tc1\nno columns here\n', 'b.tsv': 'x\t17\tc1\ny\t99\tc2\n' });
  await assert.rejects(loadDataset(`goemotions:${join(dir, 'a.tsv')}`, { labels }), /a\.tsv:2: expected 3 tab-separated columns/);
  await assert.rejects(loadDataset(`goemotions:${join(dir, 'b.tsv')}`, { labels }), /b\.tsv:2: field "labels": unknown GoEmotions label id "99"/);
});

test('XED: annotated, projection and neutral layouts', async () => {
  const dir = fixtureDir({
    'en-annotated.tsv': 'Great news!\t5\nHow dare you\t1, 3\nNo...\t6\nReally?\t7\nWhat a day\t5, 6\n',
    'neu_en.txt': '9\tPass the salt.\n0\tIt is Tuesday.\n',
    'ja-projections.tsv': 'すごい\t7\nmeta\tdata\textra\n',
  });
  const a = await loadDataset(`xed:${join(dir, 'en-annotated.tsv')}`, { labels });
  assert.deepEqual(a.rows.map((r) => r.label), ['joy', 'sadness', 'surprise']);
  assert.equal(a.dropped, 2);
  const n = await loadDataset(`xed:${join(dir, 'neu_en.txt')}`, { labels });
  assert.deepEqual(n.rows.map((r) => [r.text, r.label, r.lang]), [['Pass the salt.', 'neutral', 'en'], ['It is Tuesday.', 'neutral', 'en']]);
  const j = await loadDataset(`xed:${join(dir, 'ja-projections.tsv')}`, { labels });
  assert.deepEqual(j.rows.map((r) => [r.label, r.lang]), [['surprise', 'ja']]);
  assert.equal(j.dropped, 1);
  assert.equal(xedLanguage('/x/tw-projections.tsv'), 'zh');
});

test("XED: an official projection file's stray one-column lines are dropped and counted; elsewhere they are errors", async () => {
  // The layout of XED's de-projections.tsv: rows, a metadata line, a line of text without labels.
  const dir = fixtureDir({
    'de-projections.tsv': 'Wie schön!\t5\nWas soll das?\t1\nmeta\tdata\textra\nNur ein Satz ohne Label\nSo traurig\t6\n',
    'en-annotated.tsv': 'Great\t5\nno labels here\n',
  });
  const d = await loadDataset(`xed:${join(dir, 'de-projections.tsv')}`, { labels });
  assert.deepEqual(d.rows.map((r) => [r.label, r.lang, r.line]), [['joy', 'de', 1], ['anger', 'de', 2], ['sadness', 'de', 5]]);
  assert.equal(d.dropped, 2);
  await assert.rejects(loadDataset(`xed:${join(dir, 'en-annotated.tsv')}`, { labels }), /en-annotated\.tsv:2: expected 2 tab-separated columns, found 1/);
});

test('XED: an unknown label names the line', async () => {
  const dir = fixtureDir({ 'en-annotated.tsv': 'a\t5\nb\t12\n' });
  await assert.rejects(loadDataset(`xed:${join(dir, 'en-annotated.tsv')}`, { labels }), /en-annotated\.tsv:2: field "labels": unknown XED label "12"/);
});

const WRIME_EMOTIONS = ['Joy', 'Sadness', 'Anticipation', 'Surprise', 'Anger', 'Fear', 'Disgust', 'Trust'];
function wrimeHeader(): string {
  const cols = ['Sentence', 'UserID', 'Datetime', 'Train/Dev/Test'];
  for (const e of WRIME_EMOTIONS) cols.push(`Writer_${e}`, `Reader1_${e}`, `Reader2_${e}`, `Reader3_${e}`, `Avg. Readers_${e}`);
  return cols.join('\t');
}
function wrimeRow(text: string, split: string, avg: number[]): string {
  const cols = [text, 'u1', '2020/1/1 0:00', split];
  for (const a of avg) cols.push('0', '0', '0', '0', String(a));
  return cols.join('\t');
}

test('WRIME: documented rule over averaged reader intensities, both header languages', async () => {
  const rows = [
    wrimeRow('今日は最高！', 'train', [2, 0, 1, 0, 0, 0, 0, 0]),
    wrimeRow('普通の日', 'test', [0, 0, 0, 0, 0, 0, 0, 0]),
    wrimeRow('腹立つ', 'test', [0, 0, 0, 0, 1.7, 0, 0.3, 0]),
    wrimeRow('期待', 'dev', [0, 0, 2, 0, 0, 0, 0, 0]),
    wrimeRow('同点', 'test', [1, 1, 0, 0, 0, 0, 0, 0]),
  ];
  const dir = fixtureDir({ 'wrime.tsv': `${wrimeHeader()}\n${rows.join('\n')}\n` });
  const d = await loadDataset(`wrime:${join(dir, 'wrime.tsv')}`, { labels });
  assert.deepEqual(d.rows.map((r) => [r.label, r.split, r.lang]), [['joy', 'train', 'ja'], ['neutral', 'test', 'ja'], ['anger', 'test', 'ja']]);
  assert.equal(d.dropped, 2);

  const ja = ['投稿本文', 'ユーザID', '日時', '訓練/検証/テスト'];
  for (const e of ['喜び', '悲しみ', '期待', '驚き', '怒り', '恐れ', '嫌悪', '信頼']) ja.push(`主観_${e}`, `客観1_${e}`, `客観2_${e}`, `客観3_${e}`, `客観平均_${e}`);
  const jdir = fixtureDir({ 'w.tsv': `${ja.join('\t')}\n${wrimeRow('びっくり', '訓練', [0, 0, 0, 3, 0, 0, 0, 0])}\n` });
  const j = await loadDataset(`wrime:${join(jdir, 'w.tsv')}`, { labels });
  assert.deepEqual(j.rows.map((r) => [r.label, r.split]), [['surprise', 'train']]);
});

test('WRIME: a missing column or a bad intensity is named', async () => {
  const dir = fixtureDir({
    'a.tsv': 'Sentence\tUserID\n今日\tu\n',
    'b.tsv': `${wrimeHeader()}\n${wrimeRow('x', 'test', [0, 0, 0, 0, 9, 0, 0, 0])}\n`,
  });
  await assert.rejects(loadDataset(`wrime:${join(dir, 'a.tsv')}`, { labels }), /a\.tsv:1: WRIME header lacks columns Avg\. Readers_Joy/);
  await assert.rejects(loadDataset(`wrime:${join(dir, 'b.tsv')}`, { labels }), /b\.tsv:2: field "Avg\. Readers_Anger": expected a number from 0 to 3, found "9"/);
});

test('Japanese emoticon data: the emoticon emotion is the weak label, quoted commas kept, other emotions dropped', async () => {
  const head = 'text,emoticon,textEmotion,textPolarity,emoEmotion,emoPolarity';
  const dir = fixtureDir({
    'e.csv': [head, '今日は最高,(^o^),yorokobi,positive,joy,positive', '"雨、つらい",(T_T),None,None,sad,negative', 'えっ本当に,(ﾟДﾟ),None,None,amaze,others', 'ふざけるな,(#ﾟДﾟ),ikari,negative,anger,negative', 'いやだ,(-_-),None,None,dislike,negative'].join('\n') + '\n',
    'bad.csv': `${head}\nなに,(?),None,None,puzzled,others\n`,
    'nohead.csv': 'sentence,emotion\nx,joy\n',
  });
  const d = await loadDataset(`jaemoticon:${join(dir, 'e.csv')}`, { labels });
  assert.deepEqual(d.rows.map((r) => [r.text, r.label, r.lang]), [['今日は最高', 'joy', 'ja'], ['雨、つらい', 'sadness', 'ja'], ['えっ本当に', 'surprise', 'ja'], ['ふざけるな', 'anger', 'ja']]);
  assert.equal(d.dropped, 1);
  await assert.rejects(loadDataset(`jaemoticon:${join(dir, 'bad.csv')}`, { labels }), /bad\.csv:2: field "emoEmotion": unknown emoticon emotion "puzzled"/);
  await assert.rejects(loadDataset(`jaemoticon:${join(dir, 'nohead.csv')}`, { labels }), /nohead\.csv:1: header lacks "text" and "emoEmotion"/);
});

test('JSTS captions: each distinct sentence once, as neutral Japanese', async () => {
  const pair = (id: number, a: string, b: string) => JSON.stringify({ sentence_pair_id: String(id), yjcaptions_id: `y${id}`, sentence1: a, sentence2: b, label: 3.2 });
  const dir = fixtureDir({
    'j.json': [pair(0, '犬が走っています。', '白い犬が芝生を走っています。'), pair(1, '犬が走っています。', '男性が座っています。')].join('\n') + '\n',
    'bad.json': `${JSON.stringify({ sentence1: '猫です。' })}\n`,
  });
  const d = await loadDataset(`jsts:${join(dir, 'j.json')}`, { labels });
  assert.deepEqual(d.rows.map((r) => [r.text, r.label, r.lang]), [['犬が走っています。', 'neutral', 'ja'], ['白い犬が芝生を走っています。', 'neutral', 'ja'], ['男性が座っています。', 'neutral', 'ja']]);
  assert.equal(d.dropped, 1);
  await assert.rejects(loadDataset(`jsts:${join(dir, 'bad.json')}`, { labels }), /bad\.json:1: field "sentence2": expected a non-empty string/);
});
