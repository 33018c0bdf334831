import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { streamSamples } from '../src/results/read-samples.js';
import type { SampleRecord, Summary } from '../src/results/types.js';
import { mulberry32 } from '../src/util/rng.js';
import { emobench, fixtureDir, ROOT, tempDir } from './helpers/cli.js';
import { syntheticCsv } from './helpers/synthetic.js';

const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
const samplesOf = (dir: string) =>
  readFileSync(join(dir, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SampleRecord);
/** What must match between two runs of the same plan: everything but timings and timestamps. */
const comparable = (s: Summary) => s.models.map((m) => ({ spec: m.spec, n: m.n, errors: m.errors, metrics: m.metrics, by_lang: m.by_lang, meta: m.meta }));

function evalArgs(data: string, out: string, extra: string[] = []): string[] {
  return ['eval', '--suite', 'emotion', '--dataset', `csv:${data}`, '--model', 'nb', '--model', 'majority', '--seed', '3', '--out', out, '--concurrency', '1', '--quiet', ...extra];
}

function assertSameSamples(a: SampleRecord[], b: SampleRecord[]): void {
  const key = (r: SampleRecord) => `${r.model}/${r.id}`;
  const strip = (r: SampleRecord) => ({ ...r, latency_ms: 0 });
  assert.equal(new Set(b.map(key)).size, b.length, 'no sample may appear twice');
  assert.deepEqual(new Map(b.map((r) => [key(r), strip(r)])), new Map(a.map((r) => [key(r), strip(r)])));
}

/** Size of samples.jsonl, or 0 before it exists. */
function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

test('SIGKILL at random points, resumed each time, ends equal to an uninterrupted run', async () => {
  const dataDir = fixtureDir({ 'd.csv': syntheticCsv(5000) });
  const data = join(dataDir, 'd.csv');
  const ref = join(tempDir(), 'ref');
  assert.equal(emobench(evalArgs(data, ref)).code, 0);

  const out = join(tempDir(), 'killed');
  const samples = join(out, 'samples.jsonl');
  const rand = mulberry32(42);
  let kills = 0;
  for (let attempt = 0; attempt < 80; attempt++) {
    const args = existsSync(join(out, 'run.json')) ? ['eval', '--resume', out, '--concurrency', '1', '--quiet'] : evalArgs(data, out);
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'emobench.js'), ...args], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    // Most kills land after a random amount of new output, some at a random moment (start-up,
    // model preparation, summary writing).
    const start = sizeOf(samples);
    const target = start + 10_000 + rand() * 60_000;
    const deadline = Date.now() + (kills < 20 ? (rand() < 0.3 ? rand() * 600 : 10_000) : 0);
    const timer = setInterval(() => {
      if (kills < 20 && (sizeOf(samples) >= target || Date.now() >= deadline)) child.kill('SIGKILL');
    }, 2);
    const code = await exited;
    clearInterval(timer);
    if (code === null) kills++;
    else {
      assert.equal(code, 0);
      break;
    }
  }
  assert.ok(kills >= 20, `only ${kills} kills landed`);
  assert.deepEqual(comparable(summaryOf(out)), comparable(summaryOf(ref)));
  assertSameSamples(samplesOf(ref), samplesOf(out));
});

test('a torn last line is dropped on resume and the sample is run again', () => {
  const dataDir = fixtureDir({ 'd.csv': syntheticCsv(300) });
  const data = join(dataDir, 'd.csv');
  const out = join(tempDir(), 'run');
  assert.equal(emobench(evalArgs(data, out)).code, 0);
  const full = samplesOf(out);
  const lines = readFileSync(join(out, 'samples.jsonl'), 'utf8').split('\n');
  // Keep 100 whole lines and half of the next, as a kill in mid-write would.
  writeFileSync(join(out, 'samples.jsonl'), `${lines.slice(0, 100).join('\n')}\n${lines[100]!.slice(0, 40)}`);
  const r = emobench(['eval', '--resume', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /resumed: 100 samples were already done/);
  assertSameSamples(full, samplesOf(out));
});

test('streamed samples.jsonl reading matches the whole-file reader: torn tails, a bad last line, a bad middle line', async () => {
  const record = (i: number) => ({ model: 'm', suite: 's', id: `s${i}`, lang: 'en', tags: [], input: 'x'.repeat(70_000 * (i % 2)), expected: 'joy', output: '', pred: null, correct: false, latency_ms: 1, error: null });
  const line = (i: number) => `${JSON.stringify(record(i))}\n`;
  const whole = Array.from({ length: 5 }, (_, i) => line(i)).join('');
  const cases = { clean: whole, tornTail: `${whole}{"id":"s5","te`, badLast: `${whole}{"id":\n`, badMiddle: `${line(0)}oops\n${line(1)}`, badLastAndTorn: `${whole}{"id":\n{"id"` };
  for (const [name, content] of Object.entries(cases)) {
    for (const repair of [false, true]) {
      const dir = fixtureDir({ 'a.jsonl': content, 'b.jsonl': content });
      const outcome = async (read: () => Promise<unknown>) => {
        try {
          return { ok: await read() };
        } catch (e) {
          return { error: (e as Error).message.replace(/[ab]\.jsonl/, 'X') };
        }
      };
      const expected = await outcome(async () => wholeFileSamples(join(dir, 'a.jsonl'), repair));
      const streamed = await outcome(async () => {
        const out: SampleRecord[] = [];
        for await (const r of streamSamples(join(dir, 'b.jsonl'), { repair })) out.push(r);
        return out;
      });
      assert.deepEqual(streamed, expected, `${name}, repair ${repair}`);
      assert.equal(readFileSync(join(dir, 'b.jsonl'), 'utf8'), readFileSync(join(dir, 'a.jsonl'), 'utf8'), `${name}, repair ${repair}: file after reading`);
    }
  }
});

/** The oracle: the whole file read at once, split into lines, a torn last line cut when repairing. */
function wholeFileSamples(path: string, repair: boolean): SampleRecord[] {
  const buf = readFileSync(path);
  const completeEnd = buf.lastIndexOf(0x0a) + 1;
  let tornBytes = buf.length - completeEnd;
  const lines = buf.subarray(0, completeEnd).toString('utf8').split('\n');
  lines.pop();
  const records: SampleRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    try {
      records.push(JSON.parse(lines[i]!) as SampleRecord);
    } catch {
      if (i === lines.length - 1 && tornBytes === 0 && repair) {
        tornBytes = Buffer.byteLength(lines[i]!) + 1;
        break;
      }
      throw new Error(`${path}:${i + 1}: not a valid sample record`);
    }
  }
  if (tornBytes > 0 && repair) truncateSync(path, buf.length - tornBytes);
  return records;
}

test('resume refuses a changed dataset unless forced; flags that change the plan are refused', () => {
  const dataDir = fixtureDir({ 'd.csv': syntheticCsv(200) });
  const data = join(dataDir, 'd.csv');
  const out = join(tempDir(), 'run');
  assert.equal(emobench(evalArgs(data, out)).code, 0);
  appendFileSync(data, 'extra1,a new row,joy,en,test\n');
  const r = emobench(['eval', '--resume', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot resume .*: the run's inputs changed since it started:\n\s+dataset changed/);
  const forced = emobench(['eval', '--resume', out, '--force', '--quiet']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(summaryOf(out).meta.dataset.eval_rows, 161);
  const clash = emobench(['eval', '--resume', out, '--suite', 'emotion']);
  assert.equal(clash.code, 2);
  assert.match(clash.stderr, /--resume takes the run's plan from its run\.json; drop --suite/);
  const again = emobench(evalArgs(data, out));
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds a run: use --resume/);
});

test('SIGTERM writes an incomplete summary, exits 143, and the run resumes to completion', async () => {
  const dataDir = fixtureDir({ 'd.csv': syntheticCsv(5000) });
  const out = join(tempDir(), 'run');
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'emobench.js'), ...evalArgs(join(dataDir, 'd.csv'), out)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const timer = setInterval(() => {
    if (sizeOf(join(out, 'samples.jsonl')) > 20_000) {
      child.kill('SIGTERM');
      clearInterval(timer);
    }
  }, 2);
  assert.equal(await exited, 143);
  clearInterval(timer);
  assert.match(stderr, /stopped by SIGTERM.*emobench eval --resume/);
  const partial = summaryOf(out);
  assert.equal(partial.complete, false);
  assert.ok(partial.models[0]!.n > 0 && partial.models[0]!.n < 4000);
  const r = emobench(['eval', '--resume', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(summaryOf(out).complete, true);
  assert.equal(summaryOf(out).models[0]!.n, 4000);
});

test('four shards merged equal the single run; mismatched, missing and overlapping shards are refused', () => {
  const dataDir = fixtureDir({ 'd.csv': syntheticCsv(1000) });
  const data = join(dataDir, 'd.csv');
  const base = tempDir();
  assert.equal(emobench(evalArgs(data, join(base, 'single'))).code, 0);
  const shards = [0, 1, 2, 3].map((i) => join(base, `shard${i}`));
  shards.forEach((dir, i) => assert.equal(emobench(evalArgs(data, dir, ['--shard', `${i}/4`])).code, 0));
  const sizes = shards.map((d) => summaryOf(d).models[0]!.n);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 800);
  assert.ok(sizes.every((n) => n > 100), `unbalanced shards ${sizes}`);

  const merged = join(base, 'merged');
  const m = emobench(['merge', ...shards.reverse(), '--out', merged]);
  assert.equal(m.code, 0, m.stderr);
  assert.deepEqual(comparable(summaryOf(merged)), comparable(summaryOf(join(base, 'single'))));
  assert.equal(summaryOf(merged).complete, true);
  shards.reverse();

  const missing = emobench(['merge', shards[0]!, shards[1]!, shards[3]!, '--out', join(base, 'm2')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing shard 2\/4/);
  const overlap = emobench(['merge', shards[0]!, shards[0]!, '--out', join(base, 'm3')]);
  assert.match(overlap.stderr, /overlapping shards/);
  const other = join(base, 'other');
  assert.equal(emobench([...evalArgs(data, other, ['--shard', '2/4'])].map((a) => (a === '3' ? '4' : a))).code, 0);
  const mismatch = emobench(['merge', shards[0]!, shards[1]!, other, shards[3]!, '--out', join(base, 'm4')]);
  assert.equal(mismatch.code, 2);
  assert.match(mismatch.stderr, /made from different inputs.*\n\s+seed 3 ≠ 4/);
});

test('--shard is validated', () => {
  for (const bad of ['4/4', '1', 'a/b', '0/0']) {
    const r = emobench(['eval', '--suite', 'emotion', '--shard', bad]);
    assert.equal(r.code, 2, bad);
    assert.match(r.stderr, /--shard/);
  }
});
