import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { parse } from 'csv-parse';
import { UserError, where } from '../errors.js';
import { sha256File } from '../util/hash.js';
import type { LoadedDataset, LoadOptions } from './types.js';
import { readGoEmotions } from './formats/goemotions.js';
import { jsonObjects } from './formats/lines.js';
import { readGsm8k } from './formats/gsm8k.js';
import { readMgsm } from './formats/mgsm.js';
import { readWrime } from './formats/wrime.js';
import { readXed } from './formats/xed.js';
import { RowValidator } from './validate.js';

export const DATASET_FORMATS = ['csv', 'tsv', 'jsonl', 'goemotions', 'xed', 'wrime', 'gsm8k', 'mgsm'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** `csv:path`, `jsonl:path`, or a bare path whose extension names the format. */
export function parseDatasetSpec(spec: string, baseDir = process.cwd()): { format: DatasetFormat; path: string } {
  const m = /^([a-z0-9]+):(.+)$/.exec(spec);
  let format: string;
  let path: string;
  if (m && !/^[a-zA-Z]:[\\/]/.test(spec)) {
    format = m[1]!;
    path = m[2]!;
  } else {
    path = spec;
    format = extname(spec).slice(1).toLowerCase();
  }
  if (!(DATASET_FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`dataset "${spec}": unknown format "${format}" (expected ${DATASET_FORMATS.map((f) => `${f}:<path>`).join(', ')})`);
  }
  const abs = isAbsolute(path) ? path : resolve(baseDir, path);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new UserError(`dataset "${spec}": no such file ${abs}`);
  return { format: format as DatasetFormat, path: abs };
}

export async function loadDataset(spec: string, opts: LoadOptions = {}, baseDir?: string): Promise<LoadedDataset> {
  const { format, path } = parseDatasetSpec(spec, baseDir);
  const v = new RowValidator(path, opts);
  let dropped = 0;
  switch (format) {
    case 'jsonl':
      await readJsonl(path, v);
      break;
    case 'csv':
    case 'tsv':
      await readDelimited(path, format === 'tsv' ? '\t' : ',', v);
      break;
    case 'goemotions':
      dropped = await readGoEmotions(path, v);
      break;
    case 'xed':
      dropped = await readXed(path, v);
      break;
    case 'wrime':
      dropped = await readWrime(path, v);
      break;
    case 'gsm8k':
      await readGsm8k(path, v);
      break;
    case 'mgsm':
      await readMgsm(path, v);
      break;
  }
  if (v.rows.length === 0) throw new UserError(`${path}: no valid rows`);
  return { path, format, sha256: await sha256File(path), rows: v.rows, skipped: v.skipped, dropped };
}

const REQUIRED_COLUMNS = ['id', 'text', 'label'] as const;

/** Streams the file through csv-parse; the header row names the columns. */
async function readDelimited(path: string, delimiter: string, v: RowValidator): Promise<void> {
  const parser = createReadStream(path).pipe(
    parse({ delimiter, bom: true, relax_column_count: true, info: true, skip_empty_lines: true }),
  );
  let header: string[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      // info.lines is the line where the record ends; records here are single-line unless quoted.
      const line = info.lines;
      if (!header) {
        header = record.map((h) => h.trim());
        const missing = REQUIRED_COLUMNS.filter((c) => !header!.includes(c));
        if (missing.length > 0) {
          throw new UserError(`${where(path, line)}: header lacks column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} (found: ${header.join(', ')})`);
        }
        continue;
      }
      if (record.length !== header.length) {
        v.reject(line, `expected ${header.length} columns (${header.join(', ')}), found ${record.length}`);
        continue;
      }
      const fields: Record<string, unknown> = {};
      header.forEach((h, i) => (fields[h] = record[i]));
      v.add({ line, fields });
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    const err = e as Error & { lines?: number };
    throw new UserError(`${where(path, err.lines)}: malformed ${delimiter === '\t' ? 'TSV' : 'CSV'}: ${err.message}`);
  }
  if (!header) throw new UserError(`${path}: empty file (expected a header row with ${REQUIRED_COLUMNS.join(', ')})`);
}

/** One JSON object per line; blank lines are allowed. */
async function readJsonl(path: string, v: RowValidator): Promise<void> {
  for await (const [line, fields] of jsonObjects(path, v)) v.add({ line, fields });
}
