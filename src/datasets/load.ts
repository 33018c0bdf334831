import { closeSync, createReadStream, existsSync, openSync, readSync, statSync } from 'node:fs';
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

/** What csv-parse's errors carry besides the message (CsvError's own fields). */
interface CsvParseError {
  code: string;
  /** Records parsed before this one failed (the header included). */
  records: number;
  /** The line (of this pass) where parsing failed. */
  lines: number;
}

/** One line on what is wrong with a record csv-parse could not read; `at` is the file line where it broke. */
function csvProblem(kind: string, err: CsvParseError, at: number): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `malformed ${kind}: the quoted field that opens on this line is never closed (it ran to the end of the file); close it, or double a quote inside a quoted field ("")`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `malformed ${kind}: a quoted field of the record starting on this line is followed by other characters on line ${at}; quote the whole field, and double a quote inside it ("")`;
    default:
      return `malformed ${kind}: the record starting on this line cannot be read (${err.code} on line ${at})`;
  }
}

/**
 * Streams the file through csv-parse; the header row names the columns. A record csv-parse cannot
 * read is reported at the line where it starts (a quote that never closes swallows the rest of the
 * file, so where it opens is the useful line); with --lenient that line is skipped and parsing starts
 * again on the next one.
 */
async function* readDelimited(path: string, delimiter: string, v: RowValidator): AsyncGenerator<Row> {
  const kind = delimiter === '\t' ? 'TSV' : 'CSV';
  const lines = new LineFinder(path);
  let header: string[] | undefined;
  // Where the current pass starts: a byte offset into the file, and the number of lines before it.
  let offset = 0;
  let lineBase = 0;
  try {
    for (;;) {
      // csv-parse reports a bad record through on_skip and goes on (an error event would lose the
      // records it had parsed but not yet handed over). Only the first one of a pass is trusted: what
      // follows a broken quote is parsed out of step, so the pass stops there and a new one starts on
      // the line after the broken record's first.
      let broken: CsvParseError | undefined;
      const input = createReadStream(path, { start: offset });
      const parser = input.pipe(
        parse({
          delimiter,
          bom: offset === 0,
          relax_column_count: true,
          info: true,
          skip_empty_lines: true,
          skip_records_with_error: true,
          on_skip: (err) => {
            broken ??= err as unknown as CsvParseError;
            return undefined;
          },
          // TSV has no quoting: a quote character is part of the text (as in the public emotion sets).
          ...(delimiter === '\t' ? { quote: false } : {}),
        }),
      );
      let consumed = 0;
      let lastLine = lineBase;
      try {
        for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
          if (broken && consumed === broken.records) break;
          consumed++;
          // info.lines is the line where the record ends; records here are single-line unless quoted.
          const line = lineBase + info.lines;
          lastLine = line;
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
        throw new UserError(`${path}: cannot read ${kind}: ${clip((e as Error).message)}`);
      } finally {
        // pipe() leaves the file open when the consumer stops early (--limit, a signal, a broken record).
        input.destroy();
      }
      if (!broken) break;
      // The broken record starts on the first non-empty line after the last record read.
      const start = lines.firstNonEmptyAfter(lastLine);
      const problem = csvProblem(kind, broken, lineBase + broken.lines);
      if (!header) throw new UserError(`${where(path, start.line)}: ${problem}`);
      v.reject(start.line, problem);
      if (start.next === undefined) break;
      offset = start.next;
      lineBase = start.line;
    }
  } finally {
    lines.close();
  }
  if (!header) throw new UserError(`${path}: empty file (expected a header row with ${REQUIRED_COLUMNS.join(', ')})`);
}

/**
 * Finds lines by number for the recovery above. It reads forward only, as broken records come in
 * file order, so a file is read at most once more however many there are.
 */
class LineFinder {
  private fd: number | undefined;
  private pos = 0;
  /** Newlines before `pos`. */
  private newlines = 0;
  private readonly buf = Buffer.alloc(64 * 1024);
  private bufStart = 0;
  private bufLen = 0;

  constructor(private readonly path: string) {}

  /** The first non-empty line after line `after`, and the byte offset of the line after it (none at the end of the file). */
  firstNonEmptyAfter(after: number): { line: number; next: number | undefined } {
    while (this.newlines < after) {
      const c = this.byte();
      if (c === undefined) return { line: this.newlines + 1, next: undefined };
      if (c === 0x0a) this.newlines++;
    }
    let empty = true;
    for (;;) {
      const c = this.byte();
      if (c === undefined) return { line: this.newlines + 1, next: undefined };
      if (c === 0x0a) {
        if (!empty) return { line: ++this.newlines, next: this.pos };
        this.newlines++;
      } else if (c !== 0x0d) empty = false;
    }
  }

  /** The byte at `pos` (then one past it), or undefined at the end of the file. */
  private byte(): number | undefined {
    if (this.pos >= this.bufStart + this.bufLen) {
      this.fd ??= openSync(this.path, 'r');
      this.bufStart = this.pos;
      this.bufLen = readSync(this.fd, this.buf, 0, this.buf.length, this.pos);
      if (this.bufLen === 0) return undefined;
    }
    return this.buf[this.pos++ - this.bufStart];
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

/** One JSON object per line; blank lines are allowed. */
async function* readJsonl(path: string, v: RowValidator): AsyncGenerator<Row> {
  for await (const [line, fields] of jsonObjects(path, v)) {
    const row = v.add({ line, fields });
    if (row) yield row;
  }
}
