import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import type { Shard } from '../results/types.js';

/** `--shard I/N` with 0 ≤ I < N (0-based, like Kubernetes' JOB_COMPLETION_INDEX). */
export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (!m) throw new UserError(`--shard "${s}": expected I/N, e.g. 0/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new UserError(`--shard "${s}": need 0 ≤ I < N`);
  return { index, count };
}

/**
 * Which shard a sample belongs to: a hash of its id, so the split does not depend on the order of
 * rows in the file and every machine computes the same assignment.
 */
export function shardOf(id: string, count: number): number {
  const h = createHash('sha256').update(id).digest();
  return h.readUInt32BE(0) % count;
}
