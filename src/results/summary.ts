import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { checkKind, parseWith, readJson, readJsonFile, schemaOf, writeJsonFile } from './json-file.js';
import { streamSamples, type StreamOptions } from './read-samples.js';
import { RUN_FILES, runKind } from './run-dir.js';
import { AttentionSchema, ProfileSchema, SummarySchema, ThroughputSummarySchema } from './schemas.js';
import {
  ATTENTION_SCHEMA,
  PROFILE_SCHEMA,
  SUMMARY_SCHEMA,
  THROUGHPUT_SCHEMA,
  type AttentionResult,
  type ProfileResult,
  type SampleRecord,
  type Summary,
  type ThroughputSummary,
} from './types.js';

/** summary.json of either kind; its schema string says which. */
export function writeSummary(path: string, summary: Summary | ThroughputSummary): void {
  writeJsonFile(path, summary);
}

/** The summary of a run directory (or a summary.json path), of either kind, checked field by field. */
export function readSummary(path: string): { dir: string; summary: Summary | ThroughputSummary } {
  if (!existsSync(path)) throw new UserError(`${path}: no such run directory or summary file`);
  const isDir = statSync(path).isDirectory();
  const dir = isDir ? path : dirname(path);
  const summaryPath = isDir ? join(path, RUN_FILES.summary) : path;
  if (!existsSync(summaryPath)) {
    const hint = existsSync(join(dir, RUN_FILES.manifest)) ? `; the run has not finished: continue it with emobench eval --resume ${dir}` : ' (is this a run directory?)';
    throw new UserError(`${dir}: no ${RUN_FILES.summary}${hint}`);
  }
  const value = readJson(summaryPath);
  checkKind(value, summaryPath, { what: 'an emobench summary', schemas: [SUMMARY_SCHEMA, THROUGHPUT_SCHEMA] });
  const summary = schemaOf(value) === THROUGHPUT_SCHEMA ? parseWith(ThroughputSummarySchema, value, summaryPath) : parseWith(SummarySchema, value, summaryPath);
  return { dir, summary };
}

export interface LoadedRun {
  dir: string;
  summary: Summary;
  samples: SampleRecord[];
}

/** A scored run: its summary and samples (classification suites); a sample written twice counts once. */
export async function loadRun(path: string, opts: Pick<StreamOptions, 'onRepeats'> = {}): Promise<LoadedRun> {
  const { dir, summary } = readSummary(path);
  if (summary.schema !== SUMMARY_SCHEMA) throw new UserError(`${dir}: a throughput run has no scored samples to compare or report on this way`);
  const samples: SampleRecord[] = [];
  for await (const r of streamSamples(join(dir, RUN_FILES.samples), opts)) samples.push(r);
  return { dir, summary, samples };
}

/** profile.json, rewritten after every measurement while the profile runs. */
export function writeProfile(dir: string, profile: ProfileResult): void {
  writeJsonFile(join(dir, RUN_FILES.profile), profile);
}

export function writeProfilePage(dir: string, html: string): void {
  writeFileAtomic(join(dir, RUN_FILES.profilePage), html);
}

export function readProfile(dir: string): ProfileResult {
  return readJsonFile(join(dir, RUN_FILES.profile), ProfileSchema, { what: 'an emobench memory profile', schemas: [PROFILE_SCHEMA] });
}

export function writeAttention(dir: string, result: Omit<AttentionResult, 'schema'>): void {
  writeJsonFile(join(dir, RUN_FILES.attention), { schema: ATTENTION_SCHEMA, ...result });
}

export function writeAttentionPage(dir: string, html: string): void {
  writeFileAtomic(join(dir, RUN_FILES.attentionPage), html);
}

export function readAttention(dir: string): AttentionResult {
  return readJsonFile(join(dir, RUN_FILES.attention), AttentionSchema, { what: 'an emobench attention analysis', schemas: [ATTENTION_SCHEMA], unversioned: true });
}

/** Whatever a folder given to `report` holds, read and checked; `none` says why it holds no run. */
export type RunFolder =
  | { kind: 'eval'; dir: string }
  | { kind: 'throughput'; dir: string; summary: ThroughputSummary }
  | { kind: 'profile'; dir: string; profile: ProfileResult }
  | { kind: 'attention'; dir: string; attention: AttentionResult }
  | { kind: 'none'; dir: string; reason: string };

export function readRunFolder(path: string): RunFolder {
  if (!existsSync(path)) throw new UserError(`${path}: no such run directory or summary file`);
  // A summary.json named directly is read as such.
  if (!statSync(path).isDirectory()) {
    if (basename(path) === RUN_FILES.summary || schemaOf(readJson(path)) !== undefined) return fromSummary(path, dirname(path));
    throw new UserError(`${path}: not a run directory or summary.json`);
  }
  const kind = runKind(path);
  switch (kind) {
    case 'empty':
      return { kind: 'none', dir: path, reason: 'empty folder' };
    case 'other':
      return { kind: 'none', dir: path, reason: 'no run.json, summary.json, profile.json or attention.json' };
    case 'profile':
      return { kind, dir: path, profile: readProfile(path) };
    case 'attention':
      return { kind, dir: path, attention: readAttention(path) };
    default:
      return fromSummary(path, path);
  }
}

function fromSummary(path: string, dir: string): RunFolder {
  const { summary } = readSummary(path);
  return summary.schema === THROUGHPUT_SCHEMA ? { kind: 'throughput', dir, summary } : { kind: 'eval', dir: path };
}
