import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LiftSummary, TextLift } from '../analysis/attention-lift.js';
import { UserError } from '../errors.js';
import type { ProfileResult } from '../profile/profile.js';
import { THROUGHPUT_SCHEMA, type ThroughputSummary } from '../results/types.js';

/**
 * The run directories a report is given, sorted by kind: scored suites (read by the caller through
 * loadRun), throughput runs, memory profiles (profile.json) and attention analyses (attention.json).
 * Sections receive these parsed files, never the code that measured them.
 */
export interface OtherRuns {
  throughput: { dir: string; summary: ThroughputSummary }[];
  profiles: { dir: string; profile: ProfileResult }[];
  attention: AttentionRun[];
}

export interface AttentionRun {
  dir: string;
  model: string;
  summary: LiftSummary;
  texts: TextLift[];
}

export const noOtherRuns = (): OtherRuns => ({ throughput: [], profiles: [], attention: [] });

const readJson = <T>(path: string): T => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new UserError(`${path}: invalid JSON: ${(e as Error).message}`);
  }
};

/** Sorts run directories by kind; returns the scored ones for the caller to load. */
export function splitRunDirs(dirs: readonly string[]): { scored: string[]; other: OtherRuns } {
  const other = noOtherRuns();
  const scored: string[] = [];
  for (const dir of dirs) {
    if (existsSync(join(dir, 'profile.json'))) other.profiles.push({ dir, profile: readJson(join(dir, 'profile.json')) });
    else if (existsSync(join(dir, 'attention.json'))) other.attention.push({ dir, ...readJson<Omit<AttentionRun, 'dir'>>(join(dir, 'attention.json')) });
    else {
      const summary = existsSync(join(dir, 'summary.json')) ? readJson<ThroughputSummary | { schema?: string }>(join(dir, 'summary.json')) : undefined;
      if (summary?.schema === THROUGHPUT_SCHEMA) other.throughput.push({ dir, summary: summary as ThroughputSummary });
      else scored.push(dir);
    }
  }
  return { scored, other };
}
