/**
 * Soak test of interrupted runs: an `eval` is stopped again and again at random moments — kill -9 or
 * SIGINT — and resumed each time, then its samples.jsonl and summary.json are compared with an
 * uninterrupted run of the same plan (timings and timestamps aside).
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
  /** Differences from the uninterrupted run; empty when the soak passed. */
  problems: string[];
}

function runCli(args: string[], stop?: (child: ReturnType<typeof spawn>) => () => void): Promise<number | string> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: 'ignore' });
  const cancel = stop?.(child);
  return new Promise((done) => {
    child.on('exit', (code, signal) => {
      cancel?.();
      done(code ?? signal ?? 'unknown');
    });
  });
}

const sizeOf = (p: string) => (existsSync(p) ? statSync(p).size : 0);

function samplesOf(dir: string): Map<string, SampleRecord> {
  const lines = readFileSync(join(dir, 'samples.jsonl'), 'utf8').split('\n').filter(Boolean);
  const out = new Map<string, SampleRecord>();
  for (const l of lines) {
    const r = JSON.parse(l) as SampleRecord;
    const key = `${r.model}/${r.id}`;
    if (out.has(key)) throw new Error(`${key} appears twice`);
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
  const refCode = await runCli(plan(ref));
  if (refCode !== 0) return { kills: 0, interrupts: 0, problems: [`the uninterrupted run exited ${refCode}`] };

  const out = join(work, 'soaked');
  const samples = join(out, 'samples.jsonl');
  const rand = mulberry32(o.seed);
  let kills = 0;
  let interrupts = 0;
  const problems: string[] = [];
  for (let cycle = 0; cycle < o.cycles; cycle++) {
    const args = existsSync(join(out, 'run.json')) ? ['eval', '--resume', out, '--concurrency', '1', '--quiet'] : plan(out);
    const signal: NodeJS.Signals = rand() < 0.5 ? 'SIGKILL' : 'SIGINT';
    // Most stops land after some new samples; some at a random moment (start-up, preparing, the summary).
    const target = sizeOf(samples) + 2_000 + rand() * 20_000;
    const deadline = Date.now() + (rand() < 0.3 ? rand() * 800 : 15_000);
    const code = await runCli(args, (child) => {
      const timer = setInterval(() => {
        if (sizeOf(samples) >= target || Date.now() >= deadline) {
          child.kill(signal);
          clearInterval(timer);
        }
      }, 2);
      return () => clearInterval(timer);
    });
    log(`cycle ${cycle}: ${signal} → ${code}`);
    if (code === 'SIGKILL') kills++;
    // 130: the handler stopped the run; SIGINT: it landed before the handler was installed (start-up).
    else if (code === 130 || code === 'SIGINT') interrupts++;
    else if (code !== 0) problems.push(`cycle ${cycle}: exited ${code}`);
  }
  const final = await runCli(['eval', '--resume', out, '--concurrency', '1', '--quiet']);
  if (final !== 0) problems.push(`the final resume exited ${final}`);
  const [a, b] = [samplesOf(ref), samplesOf(out)];
  if (a.size !== b.size) problems.push(`samples: ${b.size} lines, expected ${a.size}`);
  for (const [key, r] of a) if (!isDeepStrictEqual(b.get(key), r)) problems.push(`sample ${key} differs`);
  if (!isDeepStrictEqual(stableSummary(out), stableSummary(ref))) problems.push('summary.json differs from the uninterrupted run');
  return { kills, interrupts, problems: problems.slice(0, 20) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? dflt : Number(process.argv[i + 1]);
  };
  const r = await soak({ cycles: arg('cycles', 20), rows: arg('rows', 5000), seed: arg('seed', 1), log: (l) => console.log(l) });
  console.log(`${r.kills} kill -9, ${r.interrupts} SIGINT; ${r.problems.length === 0 ? 'samples and summary equal the uninterrupted run' : r.problems.join('\n')}`);
  process.exitCode = r.problems.length === 0 ? 0 : 1;
}
