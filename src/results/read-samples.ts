import { createReadStream, existsSync, openSync, closeSync, ftruncateSync } from 'node:fs';
import { UserError } from '../errors.js';
import { parseWith } from './json-file.js';
import { SampleRecordSchema } from './schemas.js';
import { sampleKey, type SampleRecord } from './types.js';

export interface StreamOptions {
  /** Cut a torn last line off the file (resume does, before appending). */
  repair?: boolean;
  /** A torn last line is an error telling to resume that run first (merge must not drop it silently). */
  refuseTorn?: boolean;
  /**
   * Told once, at the end, when the file held a sample more than once (two writers appended to one
   * run): only the first of each is yielded, so no sample counts twice. Default: a warning on stderr.
   */
  onRepeats?: (message: string) => void;
}

const warn = (message: string) => process.stderr.write(`emobench: warning: ${message}\n`);

/**
 * Reads samples.jsonl one record at a time, each checked against the sample schema (a bad line is an
 * error naming its line and field). A process killed mid-write can leave a torn last line (no
 * trailing newline, or not valid JSON): with `repair` it is cut off the file so appending can continue
 * cleanly (once the last record has been read, so read to the end). A sample (model, id, and in a
 * sweep its setting and repeat) that appears again is skipped and reported through `onRepeats`.
 */
export async function* streamSamples(path: string, opts: StreamOptions = {}): AsyncGenerator<SampleRecord> {
  if (!existsSync(path)) return;
  let size = 0;
  let lineNo = 0;
  // A line that does not parse is torn only if it is the last: decided when the next line (or the end) comes.
  let unparsed: { line: number; bytes: number } | undefined;
  let tornBytes = 0;
  const seen = new Set<string>();
  let repeats = 0;
  let firstRepeat = 0;
  for await (const chunk of wholeLines(path)) {
    if (typeof chunk === 'number') {
      tornBytes = chunk;
      break;
    }
    size += chunk.length + 1;
    lineNo++;
    if (unparsed) throw new UserError(`${path}:${unparsed.line}: not a valid sample record`);
    let json: unknown;
    try {
      json = JSON.parse(chunk.toString('utf8'));
    } catch {
      unparsed = { line: lineNo, bytes: chunk.length + 1 };
      continue;
    }
    const rec = parseWith(SampleRecordSchema, json, `${path}:${lineNo}`);
    const key = sampleKey(rec.model, rec.id, rec.setting, rec.repeat);
    if (seen.has(key)) {
      if (repeats++ === 0) firstRepeat = lineNo;
      continue;
    }
    seen.add(key);
    yield rec;
  }
  if (unparsed) {
    if (tornBytes > 0 || !opts.repair) throw new UserError(`${path}:${unparsed.line}: not a valid sample record`);
    tornBytes = unparsed.bytes;
    size -= unparsed.bytes;
  }
  if (tornBytes > 0 && opts.refuseTorn) {
    throw new UserError(`${path}: the last line is torn (the run was interrupted while writing it): \`emobench eval --resume\` that run first`);
  }
  if (tornBytes > 0 && opts.repair) {
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, size);
    } finally {
      closeSync(fd);
    }
  }
  if (repeats > 0) {
    (opts.onRepeats ?? warn)(`${path}: ${repeats} repeated sample record${repeats === 1 ? '' : 's'} (the same model and id written again, first at line ${firstRepeat}) ignored; each sample counts once`);
  }
}

/** Each newline-terminated line's bytes (without the newline), then the length of an unterminated tail if any. */
async function* wholeLines(path: string): AsyncGenerator<Buffer | number> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path)) {
    let buf = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let nl: number;
    while ((nl = buf.indexOf(0x0a)) !== -1) {
      yield buf.subarray(0, nl);
      buf = buf.subarray(nl + 1);
    }
    rest = Buffer.from(buf);
  }
  if (rest.length > 0) yield rest.length;
}
