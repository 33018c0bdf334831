import { createReadStream, existsSync, openSync, closeSync, readFileSync, ftruncateSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { SampleRecord } from './types.js';

/**
 * Reads samples.jsonl. A process killed mid-write can leave a torn last line (no trailing newline,
 * or not valid JSON): with `repair` it is cut off the file so appending can continue cleanly; any
 * other bad line is an error naming its line.
 */
export function readSamples(path: string, opts: { repair?: boolean } = {}): { records: SampleRecord[]; tornBytes: number } {
  if (!existsSync(path)) return { records: [], tornBytes: 0 };
  const buf = readFileSync(path);
  const lastNewline = buf.lastIndexOf(0x0a);
  const completeEnd = lastNewline + 1;
  let tornBytes = buf.length - completeEnd;
  const lines = buf.subarray(0, completeEnd).toString('utf8').split('\n');
  lines.pop();
  const records: SampleRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    try {
      records.push(JSON.parse(lines[i]!) as SampleRecord);
    } catch {
      // Only the final line can be torn by a kill (whole lines are single writes).
      if (i === lines.length - 1 && tornBytes === 0 && opts.repair) {
        tornBytes = Buffer.byteLength(lines[i]!) + 1;
        break;
      }
      throw new UserError(`${path}:${i + 1}: not a valid sample record`);
    }
  }
  if (tornBytes > 0 && opts.repair) {
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, buf.length - tornBytes);
    } finally {
      closeSync(fd);
    }
  }
  return { records, tornBytes };
}

/**
 * readSamples for a run too large to hold: records one at a time, with the same torn-line handling
 * (the cut happens once the last record has been read, so read to the end).
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
