import { basename } from 'node:path';
import type { Row } from '../types.js';
import type { RowValidator } from '../validate.js';
import { jsonObjects } from './lines.js';

/**
 * GSM8K (openai/grade-school-math) JSONL: one `{"question", "answer"}` per line, the worked answer
 * ending with a line `#### <number>` (thousands commas allowed). Rows: text = the question, label =
 * that number without commas, lang en. GSM8K has no ids, so the id is `<file stem>:<line>`, and the
 * split comes from the file name (train.jsonl / test.jsonl; anything else is test).
 */
export async function* readGsm8k(path: string, v: RowValidator): AsyncGenerator<Row> {
  const stem = basename(path).replace(/\.[^.]+$/, '');
  const split = stem === 'train' ? 'train' : 'test';
  for await (const [n, obj] of jsonObjects(path, v, 'a JSON object {"question", "answer"} per line')) {
    const { question, answer } = obj;
    if (typeof question !== 'string' || question.trim() === '') {
      v.reject(n, 'field "question": expected a non-empty string');
      continue;
    }
    if (typeof answer !== 'string') {
      v.reject(n, 'field "answer": expected a string ending in "#### <number>"');
      continue;
    }
    const last = answer.trimEnd().split('\n').pop()!.trim();
    const gold = /^####\s*(-?[\d,]+(?:\.\d+)?)$/.exec(last)?.[1]?.replace(/,/g, '');
    if (gold === undefined) {
      v.reject(n, `field "answer": the last line must be "#### <number>", found "${last.slice(0, 60)}"`);
      continue;
    }
    const row = v.add({ line: n, fields: { id: `${stem}:${n}`, text: question, label: gold, lang: 'en', split } });
    if (row) yield row;
  }
}
