import { existsSync, openSync, closeSync, readFileSync, ftruncateSync } from 'node:fs';
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
