import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { readSummary } from '../compare/compare.js';
import { SUMMARY_SCHEMA } from '../results/types.js';

/**
 * The runs under one or more results folders, read from their summaries alone (never samples), so a
 * folder of thousands of runs lists quickly. Each entry is cached by its summary file's size and
 * mtime: a rescan on every request costs a readdir and a stat per run, and new runs appear without
 * a restart.
 */

export type RunKind = 'eval' | 'throughput' | 'profile' | 'attention';

export interface RunEntry {
  /** Stable, URL-safe name of the run: which results folder, then its path inside it. */
  id: string;
  dir: string;
  kind: RunKind;
  suite: string;
  dataset: { name: string; sha256: string } | null;
  models: string[];
  /** Scored samples per model (eval runs); null for other kinds. */
  n: number | null;
  seed: number | null;
  /** When the run ended (or started, while it runs). */
  date: string | null;
  complete: boolean;
  git_commit: string | null;
}

export interface Unreadable {
  id: string;
  dir: string;
  reason: string;
}

export interface Catalog {
  runs: RunEntry[];
  unreadable: Unreadable[];
  byId: Map<string, RunEntry>;
}

const RUN_FILES = ['summary.json', 'profile.json', 'attention.json'] as const;
/** How deep below a results folder runs are looked for (results/<run>, results/<group>/<run>, …). */
const MAX_DEPTH = 3;

const cache = new Map<string, { key: string; entry: RunEntry | Unreadable }>();

function idFor(rootIndex: number, root: string, dir: string): string {
  const rel = relative(root, dir).split(/[\\/]/).filter(Boolean).join('/');
  return `${rootIndex}/${rel === '' ? basename(dir) : rel}`;
}

function readJsonHead(path: string): Record<string, unknown> {
  const json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${basename(path)} is not a JSON object`);
  return json as Record<string, unknown>;
}

function describeRun(id: string, dir: string, file: (typeof RUN_FILES)[number]): RunEntry {
  if (file === 'profile.json') {
    const p = readJsonHead(join(dir, file));
    if (p['schema'] !== 'emobench.profile/1') throw new Error(`profile.json: not an emobench profile (schema ${String(p['schema'])})`);
    const mtime = statSync(join(dir, file)).mtime.toISOString();
    return { id, dir, kind: 'profile', suite: 'profile', dataset: null, models: [String(p['model'])], n: null, seed: null, date: mtime, complete: p['complete'] === true, git_commit: null };
  }
  if (file === 'attention.json') {
    const a = readJsonHead(join(dir, file));
    if (typeof a['model'] !== 'string' || typeof a['summary'] !== 'object') throw new Error('attention.json: not an emobench attention analysis (no model or summary)');
    const mtime = statSync(join(dir, file)).mtime.toISOString();
    return { id, dir, kind: 'attention', suite: 'attention', dataset: null, models: [a['model']], n: null, seed: null, date: mtime, complete: true, git_commit: null };
  }
  const { summary } = readSummary(dir);
  const meta = summary.meta;
  const common = { id, dir, suite: summary.suite, models: summary.models.map((m) => m.spec), seed: meta.seed, date: meta.ended_at || meta.started_at, complete: summary.complete, git_commit: meta.git_commit };
  if (summary.schema === SUMMARY_SCHEMA) {
    const d = summary.meta.dataset;
    return { ...common, kind: 'eval', dataset: { name: d.path, sha256: d.sha256 }, n: Math.max(0, ...summary.models.map((m) => m.n)) };
  }
  return { ...common, kind: 'throughput', dataset: null, n: null };
}

function entryFor(rootIndex: number, root: string, dir: string, file: (typeof RUN_FILES)[number]): RunEntry | Unreadable {
  const id = idFor(rootIndex, root, dir);
  const st = statSync(join(dir, file));
  const key = `${file}:${st.size}:${st.mtimeMs}`;
  const hit = cache.get(dir);
  if (hit && hit.key === key) return hit.entry;
  let entry: RunEntry | Unreadable;
  try {
    entry = describeRun(id, dir, file);
  } catch (e) {
    entry = { id, dir, reason: (e as Error).message.replace(`${dir}: `, '') };
  }
  cache.set(dir, { key, entry });
  return entry;
}

function walk(rootIndex: number, root: string, dir: string, depth: number, out: Catalog): void {
  const file = RUN_FILES.find((f) => existsSync(join(dir, f)));
  if (file) {
    const e = entryFor(rootIndex, root, dir, file);
    if ('kind' in e) out.runs.push(e);
    else out.unreadable.push(e);
    return;
  }
  let children: string[];
  try {
    children = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
  } catch (e) {
    out.unreadable.push({ id: idFor(rootIndex, root, dir), dir, reason: `cannot list: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    return;
  }
  if (depth > 0 && (children.length === 0 || depth >= MAX_DEPTH)) {
    out.unreadable.push({ id: idFor(rootIndex, root, dir), dir, reason: 'holds no run (no summary.json, profile.json or attention.json)' });
    return;
  }
  for (const c of children) walk(rootIndex, root, join(dir, c), depth + 1, out);
}

/** Every run under the given results folders; a folder that holds no run, or cannot be read, is listed with the reason. */
export function scanResults(roots: readonly string[]): Catalog {
  const out: Catalog = { runs: [], unreadable: [], byId: new Map() };
  roots.forEach((r, i) => {
    const root = resolve(r);
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      out.unreadable.push({ id: `${i}`, dir: root, reason: 'no such folder' });
      return;
    }
    walk(i, root, root, 0, out);
  });
  out.runs.sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || a.id.localeCompare(b.id));
  for (const r of out.runs) out.byId.set(r.id, r);
  return out;
}
