import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../src/errors.js';
import { lockRunDir } from '../src/results/lock.js';
import { loadRun, readAttention, readProfile, readSummary } from '../src/results/summary.js';
import { readManifest } from '../src/results/manifest.js';
import { openRunDir } from '../src/results/run-dir.js';
import type { SampleRecord, Summary } from '../src/results/types.js';
import { emobench, emobenchAsync, fixtureDir, ROOT, tempDir } from './helpers/cli.js';
import { writeFixtureRun } from './helpers/fixture-run.js';
import { syntheticCsv } from './helpers/synthetic.js';

const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n');
const evalArgs = (data: string, extra: string[]) => ['eval', '--suite', 'emotion', '--dataset', `csv:${data}`, '--model', 'nb', '--seed', '3', '--quiet', ...extra];

function throwsUser(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UserError && pattern.test(e.message), `expected a UserError matching ${pattern}`);
}

/** A node process (the compiled package) that takes a run directory's lock and holds it until killed. */
async function lockHolder(dir: string): Promise<ChildProcess> {
  const lock = join(ROOT, 'dist', 'results', 'lock.js');
  const child = spawn(process.execPath, ['--input-type=module', '-e', `const { lockRunDir } = await import(${JSON.stringify(lock)}); lockRunDir(${JSON.stringify(dir)}, 'test holder'); process.stdout.write('locked\\n'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return child;
}

const killed = (child: ChildProcess) => new Promise<void>((resolve) => {
  child.on('exit', () => resolve());
  child.kill('SIGKILL');
});

test('result files are checked field by field: a bad or foreign file names the file and the field', () => {
  const dir = writeFixtureRun(join(tempDir(), 'run'), 'nb', [true, false, true]);
  const good = summaryOf(dir);

  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...good, models: [{ ...good.models[0], n: 'three' }] }));
  throwsUser(() => readSummary(dir), /summary\.json: field "models\.0\.n": .*number/);

  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ name: 'my-app', version: '1.0.0' }));
  throwsUser(() => readSummary(dir), /summary\.json: not an emobench summary \(no "schema" field/);

  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...good, schema: 'emobench.summary/2' }));
  throwsUser(() => readSummary(dir), /schema version "emobench\.summary\/2" is not one this emobench reads \(it reads emobench\.summary\/1\)/);

  writeFileSync(join(dir, 'run.json'), JSON.stringify({ schema: 'emobench.run/1', suite: { name: 'emotion', file: 'x', sha256: '0' } }));
  throwsUser(() => readManifest(dir), /run\.json: field "dataset": .*object/);

  writeFileSync(join(dir, 'summary.json'), JSON.stringify(good));
  appendFileSync(join(dir, 'samples.jsonl'), 'null\n');
  return assert.rejects(loadRun(dir), (e: unknown) => e instanceof UserError && /samples\.jsonl:4: field "\(top level\)"/.test(e.message));
});

test('results written before this version still load: fields added later are defaulted', () => {
  const dir = writeFixtureRun(join(tempDir(), 'old'), 'nb', [true, false]);
  const s = summaryOf(dir) as unknown as { meta: { dataset: Record<string, unknown>; shard?: unknown }; models: { by_lang: Record<string, { accuracy: unknown }> }[] };
  s.models[0]!.by_lang['ja']!.accuracy = { value: null, lo: null, hi: null, n: 0, method: 'wilson' };
  delete s.meta.dataset['train_source'];
  delete s.meta.dataset['dropped_by_mapping'];
  delete s.meta.shard;
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(s));
  const read = readSummary(dir).summary as Summary;
  assert.equal(read.meta.dataset.train_source, 'fixture');
  assert.equal(read.meta.dataset.dropped_by_mapping, 0);
  assert.equal(read.meta.shard, null);
  // JSON.stringify writes an undefined figure (NaN) as null; it reads back as NaN.
  assert.ok(Number.isNaN(read.models[0]!.by_lang['ja']!.accuracy.value));

  const p = tempDir();
  const estimate = { value: null, lo: null, hi: null, n: 0, method: 'wilson' };
  const kv = { k: 1, v: 1, scales: 0, salience: 0, total: 2 };
  const config = { vocabSize: 8, dModel: 4, nLayers: 1, nHeads: 1, nKvHeads: 1, dFF: 8, maxSeq: 16, ropeTheta: 10000, emotionLayer: 0, nEmotions: 5, normEps: 1e-5 };
  const row = { kv: 'fp32', kv_heads: 1, window: null, bias: true, batch: 1, seq: 8, weights_bytes: 10, kv_measured: kv, kv_analytic: kv, activations_bytes: 1, total_bytes: 13, decode_tps: 5, kv_saving_pct: 0, total_saving_pct: 0, kv_error_pct: 0 };
  // A profile from before snapshots (no "complete"), with an undefined claim written as null.
  writeFileSync(join(p, 'profile.json'), JSON.stringify({ schema: 'emobench.profile/1', model: 'scratch@tiny', config, params: 100, sweep: [row], accuracy: [{ kv: 'fp32', window: null, accuracy: estimate, delta_pts: 0 }], timeline: { setting: 'fp32', points: [] }, claims: { bias_overhead_pct: null, best_setting: 'fp32', best_total_saving_pct: 3 } }));
  const profile = readProfile(p);
  assert.equal(profile.complete, true);
  assert.ok(Number.isNaN(profile.claims.bias_overhead_pct));
  // attention.json from before it had a schema field.
  writeFileSync(join(p, 'attention.json'), JSON.stringify({ model: 'scratch@tiny', summary: { texts: 1, lift: estimate, strong_lift: estimate, strong_texts: 0 }, texts: [] }));
  assert.equal(readAttention(p).model, 'scratch@tiny');
});

test('two writers of one cache entry never share a temp file', async () => {
  const cache = join(tempDir(), 'cache');
  const mod = join(ROOT, 'dist', 'api', 'cache.js');
  // Each process writes the same key many times with a 200 KB body: with one fixed temp name, one
  // process renames the other's half-written file away and its own rename then fails.
  const script = `const { ResponseCache } = await import(${JSON.stringify(mod)}); const c = new ResponseCache(${JSON.stringify(cache)}); const body = process.argv[1].repeat(200000); for (let i = 0; i < 150; i++) c.set('ab' + '0'.repeat(62), { i }, body);`;
  const run = (ch: string) => new Promise<number>((resolve) => spawn(process.execPath, ['--input-type=module', '-e', script, ch], { stdio: 'inherit' }).on('exit', (c) => resolve(c ?? -1)));
  assert.deepEqual(await Promise.all([run('a'), run('b'), run('c')]), [0, 0, 0]);
  const entry = JSON.parse(readFileSync(join(cache, 'ab', `ab${'0'.repeat(62)}.json`), 'utf8')) as { response: string };
  assert.match(entry.response, /^(a{200000}|b{200000}|c{200000})$/);
  assert.deepEqual(readdirSync(join(cache, 'ab')), [`ab${'0'.repeat(62)}.json`], 'no temp file is left behind');
});

test('a run directory is locked by its writer: a second one is refused with the PID; a killed holder\'s lock is taken over', async () => {
  const data = join(fixtureDir({ 'd.csv': syntheticCsv(60) }), 'd.csv');
  const out = join(tempDir(), 'run');
  assert.equal(emobench(evalArgs(data, ['--out', out])).code, 0);
  const holder = await lockHolder(out);
  try {
    const r = emobench(['eval', '--resume', out, '--quiet']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`in use by process ${holder.pid} \\(test holder, since `));
    assert.equal(emobench(['rescore', out]).code, 2);
    throwsUser(() => lockRunDir(out, 'this test'), new RegExp(`process ${holder.pid}`));
  } finally {
    await killed(holder);
  }
  // The holder died without releasing: its lock is stale and the next writer takes it over.
  const r = emobench(['eval', '--resume', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!existsSync(join(out, 'run.lock')), 'the lock goes with the writer');
});

test('two resumes of one run at once: the second is refused while the first writes, and no sample is written twice', async () => {
  const data = join(fixtureDir({ 'd.csv': syntheticCsv(3000) }), 'd.csv');
  const out = join(tempDir(), 'run');
  assert.equal(emobench(evalArgs(data, ['--out', out, '--limit', '1500'])).code, 0);
  // Keep only the manifest, so the resume has every sample to do.
  writeFileSync(join(out, 'samples.jsonl'), '');
  const first = spawn(process.execPath, [join(ROOT, 'bin', 'emobench.js'), 'eval', '--resume', out, '--concurrency', '1', '--quiet'], { stdio: 'ignore' });
  const exited = new Promise<number>((resolve) => first.on('exit', (c) => resolve(c ?? -1)));
  // Caught mid-run (it has begun writing samples) and held there while the second one starts.
  while (readFileSync(join(out, 'samples.jsonl'), 'utf8').length === 0) await new Promise((r) => setTimeout(r, 5));
  first.kill('SIGSTOP');
  try {
    const second = emobench(['eval', '--resume', out, '--quiet']);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`in use by process ${first.pid} \\(eval --resume, since `));
  } finally {
    first.kill('SIGCONT');
  }
  assert.equal(await exited, 0);
  const ids = lines(join(out, 'samples.jsonl')).map((l) => (JSON.parse(l) as SampleRecord).id);
  assert.equal(ids.length, 1500);
  assert.equal(new Set(ids).size, 1500);
});

test('a sample written twice counts once in resume, rescore, report and gate, and the reader says so', () => {
  const data = join(fixtureDir({ 'd.csv': syntheticCsv(100) }), 'd.csv');
  const out = join(tempDir(), 'run');
  assert.equal(emobench(evalArgs(data, ['--out', out])).code, 0);
  const n = summaryOf(out).models[0]!.n;
  const samples = lines(join(out, 'samples.jsonl'));
  // What two racing writers left: the first 30 samples again, after the rest.
  appendFileSync(join(out, 'samples.jsonl'), `${samples.slice(0, 30).join('\n')}\n`);
  const warning = /samples\.jsonl: 30 repeated sample records \(the same model and id written again, first at line \d+\) ignored; each sample counts once/;

  const csv = emobench(['report', out, '--format', 'csv']);
  assert.equal(csv.code, 0, csv.stderr);
  assert.match(csv.stderr, warning);
  const gate = emobench(['gate', out, '--baseline', out, '--gate', 'emotion.accuracy>=0']);
  assert.equal(gate.code, 0, gate.stderr);
  assert.match(gate.stderr, warning);

  const resumed = emobench(['eval', '--resume', out, '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, warning);
  assert.equal((JSON.parse(resumed.stdout) as Summary).models[0]!.n, n);

  const rescored = emobench(['rescore', out]);
  assert.equal(rescored.code, 0, rescored.stderr);
  assert.equal(summaryOf(out).models[0]!.n, n);
  // rescore rewrites samples.jsonl from what it read: the repeats are gone from the file too.
  assert.equal(lines(join(out, 'samples.jsonl')).length, n);
});

test('--out refuses a folder of other files and an empty path, and leaves them untouched', () => {
  const data = join(fixtureDir({ 'd.csv': syntheticCsv(40) }), 'd.csv');
  const mine = fixtureDir({ 'summary.json': '{"my":"notes"}', 'todo.txt': 'keep me' });
  const r = emobench(evalArgs(data, ['--out', mine]));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the folder is not empty and holds no eval run/);
  assert.deepEqual(readdirSync(mine).sort(), ['summary.json', 'todo.txt']);
  assert.equal(readFileSync(join(mine, 'summary.json'), 'utf8'), '{"my":"notes"}');

  const cwd = tempDir();
  const empty = emobench(evalArgs(data, ['--out', '']), { cwd });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /--out "": name a folder/);
  assert.deepEqual(readdirSync(cwd), []);

  // A profile folder is not an eval run either, and an eval run is not a profile folder.
  const profileDir = fixtureDir({ 'profile.json': '{}' });
  assert.match(emobench(evalArgs(data, ['--out', profileDir])).stderr, /holds a profile run/);
  const evalDir = join(tempDir(), 'e');
  assert.equal(emobench(evalArgs(data, ['--out', evalDir])).code, 0);
  const p = emobench(['profile', '--model', 'scratch@tiny', '--kv', 'int8', '--seq', '8', '--limit', '0', '--out', evalDir]);
  assert.equal(p.code, 2);
  assert.match(p.stderr, /--out .*: the folder is not empty and holds no profile run \(it holds an eval run;/);
  assert.equal(emobench(['attention', '--model', 'scratch@tiny', '--text', 'so happy', '--out', '']).code, 2);
});

test('runs started in the same second get their own folders', async () => {
  const results = tempDir();
  const saved = process.env['EMOBENCH_RESULTS_DIR'];
  process.env['EMOBENCH_RESULTS_DIR'] = results;
  try {
    // Five claims within a few milliseconds: at most two distinct seconds, so names collide and get suffixes.
    const opened = Array.from({ length: 5 }, () => openRunDir({ out: undefined, defaultName: 'emotion', kind: 'eval', command: 'test', flag: '--out', existing: 'refuse' }));
    for (const o of opened) o.release();
    assert.equal(new Set(opened.map((o) => o.dir)).size, 5);
    assert.ok(opened.some((o) => /-\d{8}-\d{6}-[2-5]$/.test(o.dir)), opened.map((o) => o.dir).join(', '));
  } finally {
    if (saved === undefined) delete process.env['EMOBENCH_RESULTS_DIR'];
    else process.env['EMOBENCH_RESULTS_DIR'] = saved;
  }
  // And through the CLI: three evals started together each finish in a folder of their own.
  const data = join(fixtureDir({ 'd.csv': syntheticCsv(40) }), 'd.csv');
  const cli = tempDir();
  const runs = await Promise.all(Array.from({ length: 3 }, () => emobenchAsync(evalArgs(data, []), { env: { EMOBENCH_RESULTS_DIR: cli } })));
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const dirs = readdirSync(cli);
  assert.equal(dirs.length, 3, dirs.join(', '));
  for (const d of dirs) assert.ok(existsSync(join(cli, d, 'summary.json')), d);
});

test('a failed command leaves no empty run folder; report skips and names a folder that holds no run', () => {
  const results = tempDir();
  const env = { EMOBENCH_RESULTS_DIR: results };
  assert.equal(emobench(['profile', '--model', 'nb'], { env }).code, 2);
  assert.equal(emobench(['profile', '--model', 'scratch@tiny', '--seq', '0'], { env }).code, 2);
  assert.equal(emobench(['attention', '--model', 'scratch@tiny', '--text', 'plain words'], { env }).code, 2);
  const named = join(tempDir(), 'new', 'profile');
  assert.equal(emobench(['profile', '--model', 'nb', '--run-dir', named]).code, 2);
  assert.deepEqual(readdirSync(results), []);
  assert.ok(!existsSync(named));

  const run = writeFixtureRun(join(tempDir(), 'run'), 'nb', [true, false, true, true]);
  const hollow = join(tempDir(), 'profile-20260101-000000');
  mkdirSync(hollow);
  const r = emobench(['report', run, hollow, '--format', 'md']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`skipped ${hollow}: it holds no run \\(empty folder\\)`));
  assert.match(r.stdout, /nb/);
  const none = emobench(['report', hollow, '--format', 'md']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no run in /);
});
