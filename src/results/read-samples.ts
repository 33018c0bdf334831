import { createReadStream, existsSync, openSync, closeSync, ftruncateSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { SampleRecord } from './types.js';

/**
 * Reads samples.jsonl one record at a time. A process killed mid-write can leave a torn last line (no
 * trailing newline, or not valid JSON): with `repair` it is cut off the file so appending can continue
 * cleanly (once the last record has been read, so read to the end); any other bad line is an error
 * naming its line.
 */
export async function* streamSamples(path: string, opts: { repair?: boolean; refuseTorn?: boolean } = {}): AsyncGenerator<SampleRecord> {
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
    let rec: unknown;
    try {
      rec = JSON.parse(chunk.toString('utf8'));
    } catch {
      unparsed = { line: lineNo, bytes: chunk.length + 1 };
      continue;
    }
    const problem = recordProblem(rec);
    if (problem) throw new UserError(`${path}:${lineNo}: not a valid sample record (${problem})`);
    yield rec as SampleRecord;
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
}

/**
 * What is wrong with a parsed line as a sample record, if anything: the fields every reader (resume,
 * report, rescore, compare, gates) relies on. A hand-edited `null` line or `"lang": null` is named
 * here instead of crashing one of them.
 */
function recordProblem(rec: unknown): string | undefined {
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return `expected a JSON object, found ${rec === null ? 'null' : Array.isArray(rec) ? 'an array' : typeof rec}`;
  const r = rec as Record<string, unknown>;
  for (const f of ['model', 'id', 'expected', 'lang']) if (typeof r[f] !== 'string') return `field "${f}": expected a string, found ${JSON.stringify(r[f]) ?? 'nothing'}`;
  if (r['pred'] !== null && typeof r['pred'] !== 'string') return 'field "pred": expected a string or null';
  if (typeof r['correct'] !== 'boolean') return 'field "correct": expected true or false';
  if (r['error'] !== null && typeof r['error'] !== 'string') return 'field "error": expected a string or null';
  return undefined;
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
