import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { parse } from 'csv-parse';
import { clip, UserError, where } from '../errors.js';
import { sha256File } from '../util/hash.js';
import type { LoadedDataset, LoadOptions, Row } from './types.js';
import { readGoEmotions } from './formats/goemotions.js';
import { jsonObjects } from './formats/lines.js';
import { readGsm8k } from './formats/gsm8k.js';
import { readJaEmoticon } from './formats/ja-emoticon.js';
import { readJsts } from './formats/jsts.js';
import { readMgsm } from './formats/mgsm.js';
import { readWrime } from './formats/wrime.js';
import { readXed } from './formats/xed.js';
import { RowValidator } from './validate.js';

export const DATASET_FORMATS = ['csv', 'tsv', 'jsonl', 'goemotions', 'xed', 'wrime', 'jaemoticon', 'jsts', 'gsm8k', 'mgsm'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** `csv:path`, `jsonl:path`, or a bare path whose extension names the format. */
export function parseDatasetSpec(spec: string, baseDir = process.cwd()): DatasetFile {
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

/** A dataset file and the format to read it in. */
export interface DatasetFile {
  format: DatasetFormat;
  path: string;
}

/**
 * The valid rows of a file in file order, read only as fast as they are consumed, so a file of any
 * size can be scored without holding it. Bad rows throw, or (lenient) are recorded in `v`, which also
 * counts the rows a public format's label mapping drops.
 */
export function readRows({ format, path }: DatasetFile, v: RowValidator): AsyncGenerator<Row> {
  switch (format) {
    case 'jsonl':
      return readJsonl(path, v);
    case 'csv':
    case 'tsv':
      return readDelimited(path, format === 'tsv' ? '\t' : ',', v);
    case 'goemotions':
      return readGoEmotions(path, v);
    case 'xed':
      return readXed(path, v);
    case 'wrime':
      return readWrime(path, v);
    case 'jaemoticon':
      return readJaEmoticon(path, v);
    case 'jsts':
      return readJsts(path, v);
    case 'gsm8k':
      return readGsm8k(path, v);
    case 'mgsm':
      return readMgsm(path, v);
  }
}

/** The whole file in memory: for the small sets (train splits, the bundled data); `eval` streams instead. */
export async function loadDataset(spec: string, opts: LoadOptions = {}, baseDir?: string): Promise<LoadedDataset> {
  const file = parseDatasetSpec(spec, baseDir);
  const v = new RowValidator(file.path, opts);
  const rows: Row[] = [];
  for await (const row of readRows(file, v)) rows.push(row);
  if (rows.length === 0) throw new UserError(`${file.path}: no valid rows`);
  return { ...file, sha256: await sha256File(file.path), rows, skipped: v.skipped, dropped: v.dropped };
}

const REQUIRED_COLUMNS = ['id', 'text', 'label'] as const;

/** Streams the file through csv-parse; the header row names the columns. */
async function* readDelimited(path: string, delimiter: string, v: RowValidator): AsyncGenerator<Row> {
  const input = createReadStream(path);
  // TSV has no quoting: a quote character is part of the text (as in the public emotion sets).
  const parser = input.pipe(parse({ delimiter, bom: true, relax_column_count: true, info: true, skip_empty_lines: true, ...(delimiter === '\t' ? { quote: false } : {}) }));
  let header: string[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      // info.lines is the line where the record ends; records here are single-line unless quoted.
      const line = info.lines;
      if (!header) {
        header = record.map((h) => v.canonicalColumn(h.trim()));
        const twice = header.find((h, i) => header!.indexOf(h) !== i);
        if (twice !== undefined) throw new UserError(`${where(path, line)}: header names column "${clip(twice, 80)}" twice`);
        const missing = REQUIRED_COLUMNS.filter((c) => !header!.includes(c));
        if (missing.length > 0) {
          const found = clip(record.map((h) => h.trim()).join(', '));
          throw new UserError(`${where(path, line)}: header lacks column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} (found: ${found}); map yours with --columns ${missing.map((c) => `${c}=<your column>`).join(',')}`);
        }
        continue;
      }
      if (record.length !== header.length) {
        v.reject(line, `expected ${header.length} columns (${header.join(', ')}), found ${record.length}`);
        continue;
      }
      const fields: Record<string, unknown> = {};
      header.forEach((h, i) => (fields[h] = record[i]));
      const row = v.add({ line, fields });
      if (row) yield row;
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    const err = e as Error & { lines?: number };
    throw new UserError(`${where(path, err.lines)}: malformed ${delimiter === '\t' ? 'TSV' : 'CSV'}: ${clip(err.message)}`);
  } finally {
    // pipe() leaves the file open when the consumer stops early (--limit, a signal).
    input.destroy();
  }
  if (!header) throw new UserError(`${path}: empty file (expected a header row with ${REQUIRED_COLUMNS.join(', ')})`);
}

/** One JSON object per line; blank lines are allowed. */
async function* readJsonl(path: string, v: RowValidator): AsyncGenerator<Row> {
  for await (const [line, fields] of jsonObjects(path, v)) {
    const row = v.add({ line, fields });
    if (row) yield row;
  }
}
