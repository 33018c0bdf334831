import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { UserError, where } from '../../errors.js';
import type { Row } from '../types.js';
import type { RowValidator } from '../validate.js';
import type { Emotion5 } from './lines.js';

/**
 * Japanese Text-Emoticon Data (Urabe, Rzepka, Araki 2021), as a CSV with the pickle's columns:
 * `text, emoticon, textEmotion, textPolarity, emoEmotion, emoPolarity`. Each message was written
 * before one emoticon (not in `text`); `emoEmotion`, the emoticon's emotion, is a weak label for the
 * message. Mapping: joy → joy, sad → sadness, amaze → surprise, anger → anger; the other emoticon
 * emotions (dislike, shy, relief, excite, like, fear) are dropped. There is no neutral class.
 * Quoted fields (texts with commas) are why this goes through csv-parse rather than a line split.
 */
const EMO_TO_5: Record<string, Emotion5> = { joy: 'joy', sad: 'sadness', amaze: 'surprise', anger: 'anger' };
const KNOWN = new Set([...Object.keys(EMO_TO_5), 'dislike', 'shy', 'relief', 'excite', 'like', 'fear']);

export async function* readJaEmoticon(path: string, v: RowValidator): AsyncGenerator<Row> {
  const input = createReadStream(path);
  const parser = input.pipe(parse({ bom: true, relax_column_count: true, info: true, skip_empty_lines: true }));
  let cols: { text: number; emo: number; width: number } | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (!cols) {
        const text = record.indexOf('text');
        const emo = record.indexOf('emoEmotion');
        if (text === -1 || emo === -1) {
          throw new UserError(`${where(path, line)}: header lacks ${text === -1 ? '"text"' : ''}${text === -1 && emo === -1 ? ' and ' : ''}${emo === -1 ? '"emoEmotion"' : ''} (found: ${record.join(', ')})`);
        }
        cols = { text, emo, width: record.length };
        continue;
      }
      if (record.length !== cols.width) {
        v.reject(line, `expected ${cols.width} columns, found ${record.length}`);
        continue;
      }
      const emo = record[cols.emo]!.trim();
      if (!KNOWN.has(emo)) {
        v.reject(line, `field "emoEmotion": unknown emoticon emotion "${emo}" (expected one of ${[...KNOWN].join(', ')})`);
        continue;
      }
      const label = EMO_TO_5[emo];
      if (label === undefined) {
        v.drop();
        continue;
      }
      const row = v.add({ line, fields: { id: `ja-emoticon:${line}`, text: record[cols.text], label, lang: 'ja', split: 'test' } });
      if (row) yield row;
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    const err = e as Error & { lines?: number };
    throw new UserError(`${where(path, err.lines)}: malformed CSV: ${err.message}`);
  } finally {
    input.destroy();
  }
  if (!cols) throw new UserError(`${path}: empty file (expected a header with text and emoEmotion)`);
}
