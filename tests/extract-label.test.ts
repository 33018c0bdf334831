import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelExtractor } from '../src/extract/label.js';

const labels = ['joy', 'anger', 'sadness', 'surprise', 'neutral'];
const aliases = {
  joy: ['happy', 'happiness', '喜び', '嬉しい'],
  anger: ['angry', 'annoyed', '怒り'],
  sadness: ['sad', '悲しみ', '悲しい'],
  surprise: ['surprised', '驚き'],
  neutral: ['no emotion', '中立'],
};
const x = labelExtractor(labels, aliases);

// [model output, expected label or null]; outputs in the shapes real chat models produce.
const cases: [string, string | null][] = [
  ['joy', 'joy'],
  ['Joy', 'joy'],
  ['JOY.', 'joy'],
  ['  anger\n', 'anger'],
  ['**sadness**', 'sadness'],
  ['`surprise`', 'surprise'],
  ['# Neutral', 'neutral'],
  ['Label: anger', 'anger'],
  ['The emotion is sadness.', 'sadness'],
  ['Answer: joy', 'joy'],
  ['The answer is: surprise!', 'surprise'],
  ['I would classify this as anger.', 'anger'],
  ['This text expresses joy — the writer is thrilled.', 'joy'],
  ['{"label": "neutral"}', 'neutral'],
  ['```json\n{"emotion": "anger", "confidence": 0.9}\n```', 'anger'],
  ['{"answer":"Sadness"}', 'sadness'],
  ['The writer sounds happy.', 'joy'],
  ['They are clearly angry about the delay.', 'anger'],
  ['sad', 'sadness'],
  ['Surprised!', 'surprise'],
  ['感情: 怒り', 'anger'],
  ['答えは悲しみです。', 'sadness'],
  ['喜び', 'joy'],
  ['驚き', 'surprise'],
  ['中立', 'neutral'],
  ['ＪＯＹ', 'joy'],
  ['joy joy joy', 'joy'],
  ['It mentions sadness, but the answer is: anger', 'anger'],
  ['Not sadness or surprise. Emotion: neutral', 'neutral'],
  ['Label: Joy\n\nExplanation: the writer thanks the staff.', 'joy'],
  ['1. anger', 'anger'],
  ['- neutral', 'neutral'],
  ['No emotion.', 'neutral'],
  // Ambiguous, refused or empty: unparseable, never a guess.
  ['joy or sadness', null],
  ['It could be anger, or maybe sadness.', null],
  ["I'm sorry, but I can't help with that request.", null],
  ['As an AI, I cannot determine emotions.', null],
  ['', null],
  ['   ', null],
  ['fear', null],
  ['The writer enjoyed the trip.', null],
  ['sadnesses', null],
  ['{"label": "disgust"}', null],
];

test(`label extraction on ${cases.length} real-looking outputs`, () => {
  const failures = cases.filter(([out, want]) => x.extract(out) !== want).map(([out, want]) => `${JSON.stringify(out)} → ${x.extract(out)} (want ${want})`);
  assert.deepEqual(failures, []);
});
