import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RowValidator } from '../validate.js';

/**
 * Yields [lineNumber, fields] for a tab-separated file without quoting (the public emotion sets
 * are plain TSV whose texts contain quote characters, which a CSV parser would misread).
 */
export async function* tsvLines(path: string): AsyncGenerator<[number, string[]]> {
  for await (const [n, line] of numberedLines(path)) {
    if (line.trim() === '') continue;
    yield [n, line.split('\t')];
  }
}

/** [lineNumber, text] of every line (BOM removed); the file is closed even when the reader stops early. */
async function* numberedLines(path: string): AsyncGenerator<[number, string]> {
  const input = createReadStream(path, 'utf8');
  try {
    let n = 0;
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      n++;
      yield [n, n === 1 ? raw.replace(/^\ufeff/, '') : raw];
    }
  } finally {
    // Closing readline leaves its input open.
    input.destroy();
  }
}

/** The five emotion classes every public emotion set is mapped onto. */
export type Emotion5 = 'joy' | 'anger' | 'sadness' | 'surprise' | 'neutral';

/** The rule shared by the multi-label sets: keep a row only when all its labels map to one class. */
export function singleClass(mapped: readonly (Emotion5 | null)[]): Emotion5 | null {
  if (mapped.length === 0 || mapped.some((m) => m === null)) return null;
  const first = mapped[0]!;
  return mapped.every((m) => m === first) ? first : null;
}

/**
 * Yields [lineNumber, object] for each JSON object line of a JSONL file; blank lines are skipped
 * and a line that is not a JSON object is rejected (with its line) through the validator.
 */
export async function* jsonObjects(path: string, v: RowValidator, expected = 'a JSON object per line'): AsyncGenerator<[number, Record<string, unknown>]> {
  for await (const [n, text] of numberedLines(path)) {
    if (text.trim() === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      v.reject(n, `invalid JSON: ${(e as Error).message}`);
      continue;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      v.reject(n, `expected ${expected}`);
      continue;
    }
    yield [n, obj as Record<string, unknown>];
  }
}
