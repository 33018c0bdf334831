import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { z } from 'zod';
import { LeaderboardFileSchema } from '../src/view/boards.js';
import { ROOT, emobench, tempDir } from './helpers/cli.js';
import { writeFixtureRun } from './helpers/fixture-run.js';

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) assert.fail(`Chromium not found at ${CHROMIUM}: the view test needs a real browser. Install it with "apt-get install -y chromium" (Debian); .ci/run does this in CI.`);
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

/** Sets a fixture run's end time, so "newest run per model" has something to choose by. */
function dated(dir: string, iso: string): string {
  const path = join(dir, 'summary.json');
  const s = JSON.parse(readFileSync(path, 'utf8')) as { meta: { started_at: string; ended_at: string } };
  s.meta.started_at = iso;
  s.meta.ended_at = iso;
  writeFileSync(path, `${JSON.stringify(s, null, 2)}\n`);
  return dir;
}

const N = 40;
/** Run A gets samples 0-9 wrong, run C gets 0-4 and 30-34 wrong: ids x0005-x0009 were fixed, x0030-x0034 broke. */
const wrongA = (i: number) => i < 10;
const wrongC = (i: number) => i < 5 || (i >= 30 && i < 35);

interface Fixture {
  base: string;
  runA: string;
  runC: string;
}

let fixture: Fixture | undefined;

/** Eval runs (two suites, an incomplete one), a throughput run, a memory profile and two folders that hold no readable run. */
function makeFixture(): Fixture {
  if (fixture) return fixture;
  const base = tempDir('emobench-view-');
  const runA = dated(writeFixtureRun(join(base, 'emotion-a'), 'nb', Array.from({ length: N }, (_, i) => !wrongA(i))), '2026-11-01T10:00:00.000Z');
  dated(writeFixtureRun(join(base, 'emotion-b'), 'majority', Array.from({ length: N }, (_, i) => i % 5 === 0)), '2026-11-02T10:00:00.000Z');
  const runC = dated(writeFixtureRun(join(base, 'emotion-c'), 'nb', Array.from({ length: N }, (_, i) => !wrongC(i))), '2026-11-03T10:00:00.000Z');
  dated(writeFixtureRun(join(base, 'nightly', 'reasoning-1'), 'nb', Array.from({ length: 12 }, (_, i) => i % 3 !== 0), { suite: 'reasoning' }), '2026-11-04T10:00:00.000Z');
  dated(writeFixtureRun(join(base, 'emotion-stopped'), 'nb', Array.from({ length: 8 }, () => true), { complete: false }), '2026-11-05T10:00:00.000Z');
  for (const args of [
    ['eval', '--suite', 'throughput', '--model', 'scratch@tiny', '--prompt-tokens', '16', '--batch', '1', '--repeats', '2', '--levels', '1', '--out', join(base, 'throughput-1')],
    ['profile', '--model', 'scratch@tiny', '--kv', 'int8', '--seq', '16', '--limit', '0', '--out', join(base, 'profile-1')],
  ]) {
    const r = emobench(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  mkdirSync(join(base, 'foreign'));
  writeFileSync(join(base, 'foreign', 'notes.txt'), 'not a run');
  mkdirSync(join(base, 'broken'));
  writeFileSync(join(base, 'broken', 'summary.json'), '{"schema":"something-else/9"}');
  fixture = { base, runA, runC };
  return fixture;
}

function startView(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'emobench.js'), 'view', ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`view did not start: ${out}${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, url: m[1]! });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`view exited ${code}: ${err}`)));
  });
}

/** A raw GET whose path is sent exactly as written (fetch would normalise `..` away). */
function rawGet(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((res, rej) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET', headers }, (r) => {
      let body = '';
      r.on('data', (d: Buffer) => (body += d.toString()));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('error', rej);
    req.end();
  });
}

interface Watch {
  problems: string[];
  requests: string[];
}

async function watched(browser: Browser): Promise<{ page: Page; watch: Watch }> {
  const page = await browser.newPage();
  const watch: Watch = { problems: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') watch.problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => watch.problems.push(`page error: ${e.message}`));
  return { page, watch };
}

test('emobench view lists every run, ranks models across runs, compares two runs and serves nothing outside the results folders', async () => {
  const { base } = makeFixture();
  const { child, url } = await startView([base, '--port', '0']);
  const browser = await launch();
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const api = (await (await fetch(`${url}api/runs`)).json()) as { runs: { id: string; kind: string; suite: string; complete: boolean }[]; unreadable: { id: string; reason: string }[] };
    assert.deepEqual(api.runs.map((r) => r.kind).sort(), ['eval', 'eval', 'eval', 'eval', 'eval', 'profile', 'throughput']);
    assert.equal(api.runs.find((r) => r.id === '0/emotion-stopped')?.complete, false);
    assert.equal(api.runs.find((r) => r.id === '0/nightly/reasoning-1')?.suite, 'reasoning');
    assert.deepEqual(api.unreadable.map((u) => u.id).sort(), ['0/broken', '0/foreign']);
    assert.match(api.unreadable.find((u) => u.id === '0/foreign')!.reason, /holds no run/);
    assert.match(api.unreadable.find((u) => u.id === '0/broken')!.reason, /not an emobench summary/);

    const { page, watch } = await watched(browser);
    await page.goto(url);
    assert.equal(await page.locator('#runs tbody tr').count(), 7);
    assert.match(await page.locator('#unreadable').innerText(), /0\/foreign — holds no run/);
    await page.fill('#filter', 'reasoning');
    assert.equal(await page.locator('#runs tbody tr:visible').count(), 1);
    assert.equal(await page.locator('#shown').innerText(), '1');
    await page.fill('#filter', '');

    // The emotion leaderboard: nb from its newest complete run (C, not the stopped one), majority from B.
    await page.locator('#boards a', { hasText: 'emotion' }).click();
    const rows = page.locator('table.board tbody tr');
    assert.equal(await rows.count(), 2);
    const nbRow = await rows.filter({ hasText: 'nb' }).innerText();
    assert.match(nbRow, /0\/emotion-c/);
    assert.match(nbRow, /75\.0/, 'nb in run C: 30 of 40 right');
    assert.match(await rows.first().innerText(), /leader/);

    // Any two runs side by side, from the picker on the index.
    await page.goto(url);
    await page.selectOption('#cmp-a', '0/emotion-a');
    await page.selectOption('#cmp-b', '0/emotion-c');
    await page.click('#compare-form button');
    await page.waitForSelector('#changed');
    const changed = await page.locator('#changed tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-sample')));
    assert.deepEqual(changed, ['x0005', 'x0006', 'x0007', 'x0008', 'x0009', 'x0030', 'x0031', 'x0032', 'x0033', 'x0034']);
    assert.match(await page.locator('#changed h2').innerText(), /5 now right, 5 now wrong/);
    assert.match(await page.locator('#deltas').innerText(), /accuracy\t75\.0\t75\.0\t\+0\.0/);

    // Every run kind opens as the report's own sections.
    for (const [id, section] of [['0/emotion-a', 'leaderboard'], ['0/throughput-1', 'throughput'], ['0/profile-1', 'memory']] as const) {
      await page.goto(`${url}run/${encodeURIComponent(id)}`);
      assert.equal(await page.locator(`section#${section}`).count(), 1, id);
    }
    assert.deepEqual(watch.problems, []);

    // New runs appear without a restart.
    writeFixtureRun(join(base, 'emotion-d'), 'nb', Array.from({ length: 4 }, () => true));
    const again = (await (await fetch(`${url}api/runs`)).json()) as { runs: unknown[] };
    assert.equal(again.runs.length, 8);

    // Samples stream page by page.
    const s = (await (await fetch(`${url}api/runs/${encodeURIComponent('0/emotion-a')}/samples?offset=38&limit=5`)).json()) as { samples: { id: string }[] };
    assert.deepEqual(s.samples.map((x) => x.id), ['x0038', 'x0039']);

    // Nothing outside the results folders: runs are looked up by id, never by path.
    for (const path of ['/../../etc/passwd', '/run/..%2F..%2F..%2Fetc%2Fpasswd', '/run/0/..%2F..%2Fpackage.json', '/run/%2Fetc%2Fpasswd', '/api/runs/..%2F..%2Fetc/samples', '/board/..%2F..%2Fpackage.json', '/package.json', '/run/0/emotion-a/samples.jsonl', '/%E0%A4%A']) {
      const r = await rawGet(url, path);
      assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
      assert.doesNotMatch(r.body, /root:|"name": "emobench"/, path);
    }
    assert.equal((await rawGet(url, '/', { host: 'attacker.example' })).status, 400, 'DNS rebinding: a foreign Host is refused');
    assert.equal((await fetch(`${url}compare?a=0/emotion-a&b=0/profile-1`)).status, 400);
    assert.equal((await fetch(`${url}compare?a=0/emotion-a&b=0/nope`)).status, 404);
  } finally {
    await browser.close();
    child.kill('SIGINT');
  }
  const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', r)));
  assert.equal(code, 0, 'Ctrl-C stops the server cleanly');
});

test('emobench publish writes a static site that works from disk with no network, and a leaderboard.json that validates', async () => {
  const { base, runA, runC } = makeFixture();
  const out = join(tempDir('emobench-site-'), 'site');
  const r = emobench(['publish', base, '--out', out, '--compare', `${runA},${runC}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /leaderboard\.md/);
  const files = readdirSync(out);
  for (const f of ['index.html', 'leaderboard.json', 'leaderboard.md', 'leaderboard.csv']) assert.ok(files.includes(f), f);
  assert.equal(files.filter((f) => f.startsWith('run-')).length, 8);
  assert.equal(files.filter((f) => f.startsWith('board-')).length, 2);
  assert.equal(files.filter((f) => f.startsWith('compare-')).length, 1);

  const json = JSON.parse(readFileSync(join(out, 'leaderboard.json'), 'utf8')) as unknown;
  const board = LeaderboardFileSchema.parse(json);
  assert.deepEqual(board.boards.map((b) => b.suite).sort(), ['emotion', 'reasoning']);
  assert.deepEqual(JSON.parse(readFileSync(join(ROOT, 'docs', 'leaderboard.schema.json'), 'utf8')), z.toJSONSchema(LeaderboardFileSchema), 'docs/leaderboard.schema.json is the schema the code validates with');
  assert.match(readFileSync(join(out, 'leaderboard.md'), 'utf8'), /\| nb \| 75\.0 \[59\.8–85\.8\] \| .* \| leader \| 0\/emotion-c \|/);
  assert.equal(readFileSync(join(out, 'leaderboard.csv'), 'utf8').trim().split('\n').length, 1 + 3);

  const browser = await launch();
  try {
    const { page, watch } = await watched(browser);
    await page.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith('file://')) return route.continue();
      watch.requests.push(u);
      return route.abort();
    });
    await page.goto(pathToFileURL(join(out, 'index.html')).href);
    assert.equal(await page.locator('#runs tbody tr').count(), 8);
    const links = await page.locator('a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')!));
    const pages = [...new Set(links.filter((l) => l.endsWith('.html')))];
    assert.ok(pages.length >= 11, `${pages.length} pages linked`);
    for (const p of pages) {
      await page.goto(pathToFileURL(resolve(out, p)).href);
      assert.ok(existsSync(resolve(out, p)), p);
    }
    await page.goto(pathToFileURL(join(out, pages.find((p) => p.startsWith('compare-'))!)).href);
    assert.equal(await page.locator('#changed tbody tr').count(), 10);
    assert.deepEqual(watch.problems, []);
    assert.deepEqual(watch.requests, [], 'no network requests');
  } finally {
    await browser.close();
  }

  // Publishing again replaces the site; a folder holding other files is refused, not overwritten.
  assert.equal(emobench(['publish', base, '--out', out, '--quiet']).code, 0);
  assert.equal(readdirSync(out).filter((f) => f.startsWith('compare-')).length, 0);
  const foreign = tempDir('emobench-notsite-');
  writeFileSync(join(foreign, 'keep.txt'), 'mine');
  const refused = emobench(['publish', base, '--out', foreign]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /not a site emobench published/);
  assert.equal(readFileSync(join(foreign, 'keep.txt'), 'utf8'), 'mine');
  assert.equal(emobench(['publish', base, '--out', out, '--compare', `${runA},nope`]).code, 2);
});
