import type { Row } from '../types.js';
import type { RowValidator } from '../validate.js';
import { jsonObjects } from './lines.js';

/**
 * JGLUE JSTS (JSON lines with `sentence1`, `sentence2`: pairs of Japanese image captions). Used as
 * plain, descriptive Japanese: every distinct sentence becomes one `neutral` row (a caption states
 * what a picture shows). Pairs share captions, so repeats are dropped rather than counted twice.
 */
export async function* readJsts(path: string, v: RowValidator): AsyncGenerator<Row> {
  const seen = new Set<string>();
  for await (const [line, obj] of jsonObjects(path, v, 'a JSON object per line (JSTS: sentence1, sentence2)')) {
    for (const key of ['sentence1', 'sentence2'] as const) {
      const text = obj[key];
      if (typeof text !== 'string' || text.trim() === '') {
        v.reject(line, `field "${key}": expected a non-empty string`);
        break;
      }
      if (seen.has(text)) {
        v.drop();
        continue;
      }
      seen.add(text);
      const row = v.add({ line, fields: { id: `jsts:${line}:${key === 'sentence1' ? 1 : 2}`, text, label: 'neutral', lang: 'ja', split: 'test' } });
      if (row) yield row;
    }
  }
}
