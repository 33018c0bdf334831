import { readRunFolder } from '../results/summary.js';
import type { AttentionResult, ProfileResult, ThroughputSummary } from '../results/types.js';

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

export type AttentionRun = { dir: string } & AttentionResult;

export const noOtherRuns = (): OtherRuns => ({ throughput: [], profiles: [], attention: [] });

/** Sorts run directories by kind; returns the scored ones for the caller to load, and the folders that hold no run. */
export function splitRunDirs(dirs: readonly string[]): { scored: string[]; other: OtherRuns; skipped: { dir: string; reason: string }[] } {
  const other = noOtherRuns();
  const scored: string[] = [];
  const skipped: { dir: string; reason: string }[] = [];
  for (const path of dirs) {
    const f = readRunFolder(path);
    if (f.kind === 'profile') other.profiles.push({ dir: f.dir, profile: f.profile });
    else if (f.kind === 'attention') other.attention.push({ dir: f.dir, ...f.attention });
    else if (f.kind === 'throughput') other.throughput.push({ dir: f.dir, summary: f.summary });
    else if (f.kind === 'eval') scored.push(f.dir);
    else skipped.push({ dir: f.dir, reason: f.reason });
  }
  return { scored, other, skipped };
}
