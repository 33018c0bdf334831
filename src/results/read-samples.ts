import { createReadStream, existsSync, openSync, closeSync, ftruncateSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { SampleRecord } from './types.js';

/**
 * Reads samples.jsonl one record at a time. A process killed mid-write can leave a torn last line (no
 * trailing newline, or not valid JSON): with `repair` it is cut off the file so appending can continue
 * cleanly (once the last record has been read, so read to the end); any other bad line is an error
 * naming its line.
 */
export async function* streamSamples(path: string, opts: { repair?: boolean } = {}): AsyncGenerator<SampleRecord> {
  if (!existsSync(path)) return;
  let size = 0;
  let lineNo = 0;
  // A line that does not parse is torn only if it is the last: decided when the next line (or the end) comes.
  let unparsed: { line: number; bytes: number } | undefined;
  let tornBytes = 0;
  for await (const chunk of wholeLines(path)) {
    if (typeof chunk === 'number') {
      tornBytes = chunk;
      break;
    }
    size += chunk.length + 1;
    lineNo++;
    if (unparsed) throw new UserError(`${path}:${unparsed.line}: not a valid sample record`);
    let rec: SampleRecord;
    try {
      rec = JSON.parse(chunk.toString('utf8')) as SampleRecord;
    } catch {
      unparsed = { line: lineNo, bytes: chunk.length + 1 };
      continue;
    }
    yield rec;
  }
  if (unparsed) {
    if (tornBytes > 0 || !opts.repair) throw new UserError(`${path}:${unparsed.line}: not a valid sample record`);
    tornBytes = unparsed.bytes;
    size -= unparsed.bytes;
  }
  if (tornBytes > 0 && opts.repair) {
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, size);
    } finally {
      closeSync(fd);
    }
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
