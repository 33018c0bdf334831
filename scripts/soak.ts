/**
 * Soak test of interrupted runs: an `eval` is stopped again and again at random moments — kill -9 or
 * SIGINT — and resumed each time, then its samples.jsonl and summary.json are compared with an
 * uninterrupted run of the same plan (timings and timestamps aside). Every third cycle starts two
 * resumes of the folder at once: the run-folder lock must let exactly one of them work and refuse the
 * other with a message naming the holder.
 *
 *   npx tsx scripts/soak.ts [--cycles 20] [--rows 5000] [--seed 1]
 *
 * tests/soak.test.ts runs a few cycles on every `npm test`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { SampleRecord, Summary } from '../src/results/types.js';
import { mulberry32 } from '../src/util/rng.js';
import { syntheticCsv } from '../tests/helpers/synthetic.js';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'emobench.js');

export interface SoakOptions {
  cycles: number;
  rows: number;
  seed: number;
  log?: (line: string) => void;
}

export interface SoakResult {
  kills: number;
  interrupts: number;
  /** Cycles that raced two resumes, and how many of those the lock decided (one ran, one refused). */
  races: number;
  refusals: number;
  /** Differences from the uninterrupted run; empty when the soak passed. */
  problems: string[];
}

interface Exit {
  code: number | string;
  stderr: string;
}

function runCli(args: string[], stop?: (child: ReturnType<typeof spawn>) => () => void): Promise<Exit> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const cancel = stop?.(child);
  return new Promise((done) => {
    child.on('close', (code, signal) => {
      cancel?.();
      done({ code: code ?? signal ?? 'unknown', stderr });
    });
  });
}

/** How one stopped process ended: a kill, an interrupt, a normal end, or a problem. */
function classify(code: number | string): 'kill' | 'interrupt' | 'done' | 'other' {
  if (code === 'SIGKILL') return 'kill';
  // 130: the handler stopped the run; SIGINT: it landed before the handler was installed (start-up).
  if (code === 130 || code === 'SIGINT') return 'interrupt';
  return code === 0 ? 'done' : 'other';
}

const sizeOf = (p: string) => (existsSync(p) ? statSync(p).size : 0);

function samplesOf(dir: string, problems: string[]): Map<string, SampleRecord> {
  const lines = readFileSync(join(dir, 'samples.jsonl'), 'utf8').split('\n').filter(Boolean);
  const out = new Map<string, SampleRecord>();
  for (const l of lines) {
    const r = JSON.parse(l) as SampleRecord;
    const key = `${r.model}/${r.id}`;
    if (out.has(key)) problems.push(`${dir}: sample ${key} appears twice`);
    out.set(key, { ...r, latency_ms: 0 });
  }
  return out;
}

function stableSummary(dir: string): unknown {
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
  return { ...s, meta: { ...s.meta, started_at: 0, ended_at: 0 }, models: s.models.map((m) => ({ ...m, latency_ms: 0 })) };
}

export async function soak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => undefined);
  const work = mkdtempSync(join(tmpdir(), 'emobench-soak-'));
  const data = join(work, 'data.csv');
  writeFileSync(data, syntheticCsv(o.rows, o.seed));
  const plan = (out: string) => ['eval', '--suite', 'emotion', '--dataset', `csv:${data}`, '--model', 'nb', '--model', 'majority', '--seed', '3', '--concurrency', '1', '--out', out, '--quiet'];
  const ref = join(work, 'ref');
  const refRun = await runCli(plan(ref));
  if (refRun.code !== 0) return { kills: 0, interrupts: 0, races: 0, refusals: 0, problems: [`the uninterrupted run exited ${refRun.code}: ${refRun.stderr.trim()}`] };

  const out = join(work, 'soaked');
  const samples = join(out, 'samples.jsonl');
  const rand = mulberry32(o.seed);
  let kills = 0;
  let interrupts = 0;
  let races = 0;
  let refusals = 0;
  const problems: string[] = [];
  for (let cycle = 0; cycle < o.cycles; cycle++) {
    const resuming = existsSync(join(out, 'run.json'));
    const args = resuming ? ['eval', '--resume', out, '--concurrency', '1', '--quiet'] : plan(out);
    const racing = resuming && cycle % 3 === 1;
    const signal: NodeJS.Signals = rand() < 0.5 ? 'SIGKILL' : 'SIGINT';
    // Most stops land after some new samples; some at a random moment (start-up, preparing, the summary).
    const target = sizeOf(samples) + 2_000 + rand() * 20_000;
    // A racing cycle is stopped only after new samples, so that both resumes reach the lock.
    const early = rand() < 0.3 && !racing;
    const deadline = Date.now() + (early ? rand() * 800 : 15_000);
    const stopper = (child: ReturnType<typeof spawn>) => {
      const timer = setInterval(() => {
        if (sizeOf(samples) >= target || Date.now() >= deadline) {
          child.kill(signal);
          clearInterval(timer);
        }
      }, 2);
      return () => clearInterval(timer);
    };
    const exits = await Promise.all((racing ? [args, args] : [args]).map((a) => runCli(a, stopper)));
    log(`cycle ${cycle}: ${signal} → ${exits.map((e) => e.code).join(' and ')}`);
    const refused = exits.filter((e) => e.code === 2 && /is in use by|is being locked by another process/.test(e.stderr));
    if (racing) {
      races++;
      if (refused.length === 1) refusals++;
      // Both may also end without meeting (one finished or was stopped before the other took the lock).
      if (refused.length === 2) problems.push(`cycle ${cycle}: both racing resumes were refused`);
    }
    for (const e of exits) {
      if (refused.includes(e)) continue;
      const how = classify(e.code);
      if (how === 'kill') kills++;
      else if (how === 'interrupt') interrupts++;
      else if (how === 'other') problems.push(`cycle ${cycle}: exited ${e.code}: ${e.stderr.trim().split('\n').pop()}`);
    }
  }
  const final = await runCli(['eval', '--resume', out, '--concurrency', '1', '--quiet']);
  if (final.code !== 0) problems.push(`the final resume exited ${final.code}: ${final.stderr.trim()}`);
  const [a, b] = [samplesOf(ref, problems), samplesOf(out, problems)];
  if (a.size !== b.size) problems.push(`samples: ${b.size} lines, expected ${a.size}`);
  for (const [key, r] of a) if (!isDeepStrictEqual(b.get(key), r)) problems.push(`sample ${key} differs`);
  if (!isDeepStrictEqual(stableSummary(out), stableSummary(ref))) problems.push('summary.json differs from the uninterrupted run');
  return { kills, interrupts, races, refusals, problems: problems.slice(0, 20) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? dflt : Number(process.argv[i + 1]);
  };
  const r = await soak({ cycles: arg('cycles', 20), rows: arg('rows', 5000), seed: arg('seed', 1), log: (l) => console.log(l) });
  console.log(`${r.kills} kill -9, ${r.interrupts} SIGINT, ${r.races} races (${r.refusals} decided by the lock); ${r.problems.length === 0 ? 'samples and summary equal the uninterrupted run' : r.problems.join('\n')}`);
  process.exitCode = r.problems.length === 0 ? 0 : 1;
}
