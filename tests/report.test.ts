import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM as CHROMIUM_COMPONENT, CHROMIUM_PATH, skipUnless } from './helpers/system.js';
import { loadClaims, runReport } from '../src/cli/report-command.js';
import { loadRun, type LoadedRun } from '../src/results/summary.js';
import { holm, mcnemar } from '../src/compare/paired.js';
import { UserError } from '../src/errors.js';
import { renderReport } from '../src/report/html.js';
import { leaderboardCsv, leaderboardMarkdown } from '../src/report/leaderboard.js';
import { tiesWithLeader } from '../src/report/sections/leaderboard.js';
import { paretoFront } from '../src/report/sections/speed.js';
import { evalFigure } from '../src/scoring/metrics.js';
import { esc, jsonForScript } from '../src/util/html.js';
import { claimStatus, evaluateClaims, parseClaims, specMatches, type PublishedClaim } from '../src/report/published.js';
import type { SampleRecord } from '../src/results/types.js';
import { bytes, byteUnit } from '../src/report/cells.js';
import { axisFor, niceCeil, type PageData } from '../src/report/charts.js';
import { ROOT, emobench, tempDir } from './helpers/cli.js';
import { LABELS, writeFixtureRun } from './helpers/fixture-run.js';

const CHROMIUM = CHROMIUM_PATH;
const XSS_IMG = '<img src=x onerror=alert(1)>';
const XSS_SCRIPT = '</script><script>alert(2)</script>';
const XSS_MODEL = 'evil"><svg onload=alert(3)>';
const XSS_COMMENT = '<!-- </script -->';

/** Records where sample i is right when correct[i] (ids s0000…). */
function samples(model: string, correct: readonly boolean[]): SampleRecord[] {
  return correct.map((ok, i) => ({
    model,
    suite: 'emotion',
    id: `s${String(i).padStart(4, '0')}`,
    lang: 'en',
    tags: [],
    input: `t${i}`,
    expected: 'joy',
    output: ok ? 'joy' : 'anger',
    pred: ok ? 'joy' : 'anger',
    correct: ok,
    latency_ms: 1,
    error: null,
  }));
}

/** n items; the leader is right on all but the last `leaderWrong`, the other on all but its first `otherWrong`. */
function pairOf(n: number, leaderWrong: number, otherWrong: number): [boolean[], boolean[]] {
  return [Array.from({ length: n }, (_, i) => i < n - leaderWrong), Array.from({ length: n }, (_, i) => i >= otherWrong)];
}

// ---------------------------------------------------------------------------------------------
// Pure parts

test('holm() matches R p.adjust(method = "holm")', () => {
  const adj = holm([0.01, 0.04, 0.03, 0.005]);
  [0.03, 0.06, 0.06, 0.02].forEach((want, i) => assert.ok(Math.abs(adj[i]! - want) < 1e-12, `${adj[i]} vs ${want}`));
  assert.deepEqual(holm([]), []);
  assert.deepEqual(holm([0.2]), [0.2]);
  assert.deepEqual(holm([0.6, 0.5]), [1, 1], 'capped at 1, monotone');
  // Step-down: order-preserving, never below the raw p-value.
  const ps = [0.001, 0.2, 0.01, 0.04, 0.03];
  holm(ps).forEach((a, i) => assert.ok(a >= ps[i]!));
});

test('ties: models not significantly worse than the leader (McNemar, Holm-corrected) are tied', () => {
  const n = 100;
  const [lead, close] = pairOf(n, 0, 2); // 2 discordant, p = 0.5
  const [, far] = pairOf(n, 0, 30); // 30 discordant, p < 1e-8
  const acc = (c: boolean[]) => c.filter(Boolean).length / c.length;
  // Against a leader without sample records nothing can be tested, so nothing is tied with it.
  const r = tiesWithLeader([
    { accuracy: 0.5, macroF1: 0, samples: samples('far', far) },
    { accuracy: 0.9, macroF1: 0, samples: [] },
  ]);
  assert.equal(r[1]!.leader, true);
  assert.deepEqual([r[0]!.p, r[0]!.tied, r[0]!.shared], [null, false, 0]);

  const t = tiesWithLeader([
    { accuracy: acc(close), macroF1: 0, samples: samples('close', close) },
    { accuracy: acc(lead), macroF1: 0, samples: samples('lead', lead) },
    { accuracy: acc(far), macroF1: 0, samples: samples('far', far) },
  ]);
  assert.equal(t[1]!.leader, true);
  assert.equal(t[0]!.tied, true);
  assert.equal(t[0]!.onlyLeader, 2);
  assert.equal(t[0]!.onlyThis, 0);
  assert.equal(t[0]!.p, mcnemar(2, 0));
  assert.equal(t[2]!.tied, false);
  assert.ok(t[2]!.pHolm! < 0.001);

  // Holm matters: each raw p (8 vs 1 discordant: p ≈ 0.039) is significant alone, not after correction
  // over two distinct models (b is wrong on other items than a, with the same counts).
  const [l2, a] = pairOf(200, 1, 8);
  const b = a.map((_, i) => !(i >= 8 && i < 16));
  const raw = mcnemar(8, 1);
  assert.ok(raw < 0.05);
  const h = tiesWithLeader([
    { accuracy: acc(l2), macroF1: 0, samples: samples('l', l2) },
    { accuracy: acc(a), macroF1: 0, samples: samples('a', a) },
    { accuracy: acc(b), macroF1: 0, samples: samples('b', b) },
  ]);
  assert.equal(h[1]!.p, raw);
  assert.ok(Math.abs(h[1]!.pHolm! - 2 * raw) < 1e-12);
  assert.equal(h[1]!.tied, true);
  assert.equal(h[2]!.tied, true);
  // Alone (one comparison) the same model is significantly worse.
  const alone = tiesWithLeader([{ accuracy: acc(l2), macroF1: 0, samples: samples('l', l2) }, { accuracy: acc(a), macroF1: 0, samples: samples('a', a) }]);
  assert.equal(alone[1]!.tied, false);
  // The same model reported twice (identical runs side by side) is one comparison: verdicts do not change.
  const twice = tiesWithLeader([
    { accuracy: acc(l2), macroF1: 0, samples: samples('l', l2), identity: 'l' },
    { accuracy: acc(a), macroF1: 0, samples: samples('a', a), identity: 'a' },
    { accuracy: acc(a), macroF1: 0, samples: samples('a', a), identity: 'a' },
  ]);
  assert.deepEqual(twice.map((r) => [r.tied, r.pHolm]), [[true, null], [false, alone[1]!.pHolm], [false, alone[1]!.pHolm]]);
  // A copy of the leader is tied with it and takes no Holm rank.
  const lead2 = tiesWithLeader([
    { accuracy: acc(l2), macroF1: 0, samples: samples('l', l2), identity: 'l' },
    { accuracy: acc(l2), macroF1: 0, samples: samples('l', l2), identity: 'l' },
    { accuracy: acc(a), macroF1: 0, samples: samples('a', a), identity: 'a' },
  ]);
  assert.deepEqual(lead2.map((r) => r.tied), [true, true, false]);
  assert.equal(lead2[2]!.pHolm, alone[1]!.pHolm);

  // Only shared ids count.
  const shifted = samples('x', close).map((s, i) => ({ ...s, id: i < 50 ? s.id : `other${i}` }));
  const s = tiesWithLeader([{ accuracy: 1, macroF1: 1, samples: samples('lead', lead) }, { accuracy: 0.98, macroF1: 0, samples: shifted }]);
  assert.equal(s[1]!.shared, 50);
});

test('Pareto front keeps the points nothing beats on both axes, by x', () => {
  const pts = [
    { x: 1, y: 90 },
    { x: 100, y: 60 },
    { x: 50, y: 50 }, // dominated by (100, 60)
    { x: 1000, y: 10 },
    { x: NaN, y: 99 },
  ];
  assert.deepEqual(paretoFront(pts), [0, 1, 3]);
});

test('axes follow their data: 0–100 for percentages, log across decades, else a round top above the data', () => {
  assert.equal(axisFor([12, 88], { title: 'F1 %', unit: '%', percent: true }).scale, 'percent');
  const tps = axisFor([120, 193, null], { title: 'tokens/s', unit: 'tokens/s' });
  assert.deepEqual([tps.scale, tps.max], ['linear', 250]);
  const mib = axisFor([0.5, 1, 2], { title: 'MiB', unit: 'MiB' });
  assert.deepEqual([mib.scale, mib.max], ['linear', 2.5]);
  assert.equal(axisFor([0.0001, 0.4, 40], { title: 'ms', unit: 'ms' }).scale, 'log');
  assert.equal(axisFor([0, 0.4, 40], { title: 'ms', unit: 'ms' }).scale, 'linear', 'a zero cannot go on a log axis');
  assert.deepEqual([niceCeil(0.7), niceCeil(193), niceCeil(2100)], [1, 200, 2500]);
});

test('byte counts in the unit that shows them', () => {
  assert.deepEqual([bytes(512), bytes(3 * 1024), bytes(1.5 * 2 ** 20), bytes(3 * 2 ** 30)], ['512 B', '3.0 KiB', '1.50 MiB', '3.00 GiB']);
  assert.deepEqual(byteUnit([100, 5000]), { unit: 'KiB', div: 1024 });
});

test('escaping: HTML text and JSON inside <script>', () => {
  assert.equal(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const value = { s: `${XSS_SCRIPT} ${XSS_COMMENT} & \u2028 \u2029 ]]>` };
  const json = jsonForScript(value);
  assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(json), value);
});

test('published claims: the shipped file parses; status rule; spec matching', () => {
  const claims = loadClaims(join(ROOT, 'baselines', 'published.json'))!;
  assert.ok(claims.length >= 10);
  const acc = claims.find((c) => c.id === 'emotion_accuracy')!;
  assert.deepEqual([acc.value, acc.metric, acc.model, acc.unit], [0.82, 'emotion.accuracy', 'scratch', 'fraction']);
  for (const id of ['scratch_tokens_per_s', 'kv_cache_vram', 'emotion_bias_attention', 'emotion_bias_memory', 'reasoning_gap', 'multilingual_gap']) {
    assert.ok(claims.some((c) => c.id === id), id);
  }

  const higher: PublishedClaim = { id: 'a', claim: 'x', value: 0.82, unit: 'fraction', metric: 'emotion.accuracy', model: 'scratch', direction: 'higher', source: 's' };
  assert.equal(claimStatus(higher, { value: 0.8, lo: 0.76, hi: 0.84 }), 'reproduced', 'interval contains the claim');
  assert.equal(claimStatus(higher, { value: 0.9, lo: 0.86, hi: 0.93 }), 'reproduced', 'interval above the claim');
  assert.equal(claimStatus(higher, { value: 0.7, lo: 0.66, hi: 0.81 }), 'not reproduced', 'interval below the claim');
  assert.equal(claimStatus(higher, { value: 0.83 }), 'reproduced', 'point value');
  const lower: PublishedClaim = { ...higher, direction: 'lower', value: -0.3, unit: 'relative' };
  assert.equal(claimStatus(lower, { value: -0.2, lo: -0.35, hi: -0.1 }), 'reproduced');
  assert.equal(claimStatus(lower, { value: -0.1, lo: -0.2, hi: 0 }), 'not reproduced');

  assert.ok(specMatches('scratch', 'scratch') && specMatches('scratch@paper', 'scratch') && specMatches('scratch:./w?kv=int8', 'scratch'));
  assert.ok(!specMatches('scratchy', 'scratch') && !specMatches('nb', 'scratch') && specMatches('nb', null));

  assert.throws(() => parseClaims({ schema: 'nope', claims: [] }, 'f.json'), /f\.json: "schema"/);
  assert.throws(() => parseClaims({ schema: 'emobench.published/1', claims: [{ id: 'a', claim: 'c', value: 'x', unit: 'u', metric: null, model: null, source: 's' }] }), /claims\[0\]: "value" must be a number/);
  assert.throws(() => parseClaims({ schema: 'emobench.published/1', claims: [{ ...higher }, { ...higher }] }), /duplicate id "a"/);
});

test('published claims are evaluated against the runs: reproduced, not reproduced, not measured', async () => {
  const base = tempDir();
  // 90 of 100 right: Wilson [0.826, 0.945] → 82% reproduced; a claim of 95% is not.
  const run = await loadRun(writeFixtureRun(join(base, 'a'), 'scratch@paper', Array.from({ length: 100 }, (_, i) => i >= 10)));
  const targets = run.summary.models.map((m) => ({ suite: 'emotion', label: m.spec, result: m }));
  const claims: PublishedClaim[] = [
    { id: 'acc', claim: '82%', value: 0.82, unit: 'fraction', metric: 'emotion.accuracy', model: 'scratch', source: 's' },
    { id: 'acc95', claim: '95%', value: 0.95, unit: 'fraction', metric: 'emotion.accuracy', model: 'scratch', source: 's' },
    { id: 'anger', claim: 'anger', value: 0.5, unit: 'fraction', metric: 'emotion.f1.anger', model: 'scratch', source: 's' },
    { id: 'gpt', claim: 'gpt', value: 0.78, unit: 'fraction', metric: 'emotion.accuracy', model: 'openai:gpt-3.5-turbo', source: 's' },
    { id: 'tps', claim: 'tps', value: 85, unit: 'tokens/s', metric: 'throughput.tokens_per_s', model: 'scratch', source: 's' },
    { id: 'vram', claim: 'vram', value: -0.3, unit: 'relative', metric: null, model: 'scratch', source: 's' },
  ];
  const rows = evaluateClaims(claims, targets);
  assert.deepEqual(
    rows.map((r) => [r.claim.id, r.status]),
    [
      ['acc', 'reproduced'],
      ['acc95', 'not reproduced'],
      ['anger', 'reproduced'],
      ['gpt', 'not measured'],
      ['tps', 'not measured'],
      ['vram', 'not measured'],
    ],
  );
  assert.equal(rows[0]!.measured!.model, 'scratch@paper');
  assert.ok(rows[0]!.measured!.lo! < 0.9 && rows[0]!.measured!.hi! > 0.9);
  // A future summary field (tokens/s) is picked up without a report change.
  const withSpeed = { ...targets[0]!, suite: 'throughput', result: { ...targets[0]!.result, throughput: { decode_tps: { value: 90, lo: 88, hi: 92 } } } };
  assert.equal(evaluateClaims([claims[4]!], [withSpeed])[0]!.status, 'reproduced');
  assert.deepEqual(evalFigure(withSpeed.result, ['tokens_per_s']), { value: 90, lo: 88, hi: 92 });
  assert.equal(evalFigure(targets[0]!.result, ['peak_memory_mb']), undefined);
});

test('the claims section appears when asked for or when a run measured a claim on its configuration', async () => {
  const base = tempDir();
  const claims = loadClaims(join(ROOT, 'baselines', 'published.json'));
  // A user's own classifier: no published claim is about it.
  const own = [await loadRun(writeFixtureRun(join(base, 'own'), 'nb', Array.from({ length: 40 }, (_, i) => i % 4 !== 0)))];
  assert.doesNotMatch(renderReport(own, { claims }), /<section id="claims"/);
  assert.match(renderReport(own, { claims, showClaims: true }), /<section id="claims"/);
  // A run of the trained scratch model measures the accuracy claims: the section appears by itself.
  const scratch = [await loadRun(writeFixtureRun(join(base, 'scratch'), 'scratch', Array.from({ length: 40 }, (_, i) => i % 4 !== 0)))];
  assert.match(renderReport(scratch, { claims }), /<section id="claims"/);
});

test('report header, cells and axes: human time, no point intervals, batch averages, quality floor', async () => {
  const base = tempDir();
  const runs = [
    await loadRun(writeFixtureRun(join(base, 'nb'), 'nb', Array.from({ length: 40 }, (_, i) => i % 4 !== 0), { latencyMs: 2 })),
    await loadRun(writeFixtureRun(join(base, 'majority'), 'majority', Array.from({ length: 40 }, (_, i) => i % 5 === 0), { latencyMs: 0.0001 })),
    await loadRun(writeFixtureRun(join(base, 'one'), 'scratch', [true])),
    await loadRun(writeFixtureRun(join(base, 'other'), 'other', Array.from({ length: 40 }, (_, i) => i % 5 > 1), { latencyMs: 3 })),
  ];
  const html = renderReport(runs, { generatedAt: '2026-11-23T09:05:00Z' });
  assert.match(html, /generated <time datetime="2026-11-23T09:05:00Z">23 Nov 2026, 09:05 UTC<\/time>/);
  assert.match(html, /from 4 runs/);
  // One sample: no "[100.0–100.0]" interval that looks like certainty.
  const oneRow = html.match(/<tr[^>]*><th scope="row" data-v="scratch">.*?<\/tr>/)![0];
  assert.doesNotMatch(oneRow, /\[100\.0–100\.0\]/);
  assert.match(oneRow, /n=1, no interval/);
  // Batched classifiers' latency is a batch average and says so.
  assert.match(html, /batch avg/);
  // majority (at the quality floor) is fastest but not bold as best latency, and not on the Pareto front.
  const row = (spec: string) => html.match(new RegExp(`<tr[^>]*><th scope="row" data-v="${spec}">.*?</tr>`))![0];
  assert.match(row('majority'), /at floor/);
  const latencyCell = (spec: string) => row(spec).match(/<td class="num([^"]*)" data-v="[^"]*" title="p50[^"]*">/)![1];
  assert.equal(latencyCell('majority'), '');
  assert.equal(latencyCell('nb'), ' best');
  const data = JSON.parse(html.match(/<script type="application\/json" id="eb-data">(.*?)<\/script>/s)![1]!) as PageData;
  const speed = data.charts.find((c) => c.kind === 'scatter')!;
  assert.deepEqual(speed.points!.filter((p) => p.front).map((p) => p.label), ['nb']);
  // Samples/s from 0.0001 ms to 2 ms spans decades: a log axis.
  assert.equal(speed.x!.scale, 'log');
});

test('--format md and csv print the leaderboard of every run', async () => {
  const base = tempDir();
  const a = writeFixtureRun(join(base, 'a'), 'nb', Array.from({ length: 40 }, (_, i) => i % 4 !== 0));
  const b = writeFixtureRun(join(base, 'b'), 'majority', Array.from({ length: 40 }, (_, i) => i % 5 === 0), { suite: 'reasoning' });
  const runs = [await loadRun(a), await loadRun(b)];
  const md = leaderboardMarkdown(runs.map((r) => r.summary));
  assert.match(md, /\*\*emotion · 40 samples · seed 0\*\*/);
  assert.match(md, /\*\*reasoning · 40 samples · seed 0\*\*/);
  assert.match(md, /\| nb \| 40 \| 75\.0 \[/);
  assert.equal(leaderboardMarkdown(runs[0]!.summary), md.split('\n\n**')[0]);
  const csv = leaderboardCsv(runs.map((r) => r.summary), [a, 'b,"q"']);
  const lines = csv.trim().split('\n');
  assert.equal(lines[0], 'suite,model,n,accuracy,accuracy_lo,accuracy_hi,macro_f1,macro_f1_lo,macro_f1_hi,unparseable,errors,run');
  assert.match(lines[1]!, /^emotion,nb,40,0\.75,/);
  assert.match(lines[2]!, /^reasoning,majority,40,0\.2,.*,"b,""q"""$/);
  assert.doesNotMatch(leaderboardCsv(runs.map((r) => r.summary)), /,run/);

  const outMd = join(base, 'out', 'board.md');
  await runReport({ runs: [a, b], format: 'md', out: outMd, alpha: 0.05 });
  assert.equal(readFileSync(outMd, 'utf8'), `${md}\n`);
  const outCsv = join(base, 'board.csv');
  await runReport({ runs: [a], format: 'csv', out: outCsv, alpha: 0.05 });
  assert.equal(readFileSync(outCsv, 'utf8'), leaderboardCsv([runs[0]!.summary]));
});

test('report command: bad input is a UserError (exit 2) naming the problem', async () => {
  const base = tempDir();
  const a = writeFixtureRun(join(base, 'a'), 'nb', [true, false, true]);
  const isUser = (re: RegExp) => (e: unknown) => e instanceof UserError && e.exitCode === 2 && re.test(e.message);
  await assert.rejects(runReport({ runs: [join(base, 'missing')], format: 'html', alpha: 0.05 }), isUser(/missing: no such run directory/));
  mkdirSync(join(base, 'dir'));
  await assert.rejects(runReport({ runs: [a], format: 'html', out: join(base, 'dir'), alpha: 0.05 }), isUser(/is a directory/));
  await assert.rejects(runReport({ runs: [a], format: 'html', alpha: 2 }), isUser(/--alpha/));
  await assert.rejects(runReport({ runs: [a], format: 'html', out: join(base, 'r.html'), claims: join(base, 'none.json'), alpha: 0.05 }), isUser(/no such claims file/));
  writeFileSync(join(base, 'bad.json'), '{"schema":"emobench.published/1","claims":[{"id":1}]}');
  await assert.rejects(runReport({ runs: [a], format: 'html', out: join(base, 'r.html'), claims: join(base, 'bad.json'), alpha: 0.05 }), isUser(/bad\.json: claims\[0\]: "id"/));
  const out = join(base, 'nested', 'r.html');
  await runReport({ runs: [a], format: 'html', out, alpha: 0.05 });
  assert.match(readFileSync(out, 'utf8'), /^<!doctype html>/);
});

// ---------------------------------------------------------------------------------------------
// The report in a real browser

const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    assert.fail(`Chromium not found at ${CHROMIUM}, and ${CHROMIUM_COMPONENT.requireVar}=1 requires it: install it with "${CHROMIUM_COMPONENT.enable}"`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

interface Watch {
  problems: string[];
  dialogs: string[];
}

/** Opens the report, collecting console errors, page errors, dialogs and any non-file request. */
async function open(browser: Browser, file: string, viewport: { width: number; height: number }): Promise<{ page: Page; watch: Watch }> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(10_000);
  const watch: Watch = { problems: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') watch.problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => watch.problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (!/^(file|data|blob):/.test(r.url())) watch.problems.push(`network request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, watch };
}

async function fixtureRuns(base: string): Promise<LoadedRun[]> {
  const n = 200;
  const payload = (i: number) => (i === 0 ? XSS_IMG : i === 1 ? XSS_SCRIPT : i === 2 ? XSS_COMMENT : `sample text ${i} & more`);
  // The known failure: neutral read as sadness.
  const neutralAsSadness = (i: number, expected: string) => (i % 29 === 0 ? null : expected === 'neutral' ? 'sadness' : LABELS[(LABELS.indexOf(expected) + 1) % LABELS.length]!);
  const dirs = [
    writeFixtureRun(join(base, 'scratch'), 'scratch', Array.from({ length: n }, (_, i) => i % 10 !== 4), { input: payload, wrongPred: neutralAsSadness, latencyMs: 40, output: (i, p) => (i === 0 ? `Answer: ${XSS_IMG}` : `The emotion is ${p ?? '?'}`) }),
    writeFixtureRun(join(base, 'nb'), 'nb', Array.from({ length: n }, (_, i) => i % 10 !== 4 && i % 50 !== 3), { input: payload, latencyMs: 0.4 }),
    writeFixtureRun(join(base, 'evil'), XSS_MODEL, Array.from({ length: n }, (_, i) => i % 3 === 0), { input: payload, latencyMs: 0.05 }),
    writeFixtureRun(join(base, 'reasoning'), 'scratch', Array.from({ length: 60 }, (_, i) => i % 2 === 0), { suite: 'reasoning', input: payload, latencyMs: 55 }),
  ];
  return Promise.all(dirs.map((d) => loadRun(d)));
}

test('the HTML report renders in headless Chromium: charts drawn, no errors, data shown as text', { skip: skipUnless(CHROMIUM_COMPONENT) }, async (t) => {
  const base = tempDir('emobench-report-');
  const runs = await fixtureRuns(base);
  const claims = loadClaims(join(ROOT, 'baselines', 'published.json'));
  const html = renderReport(runs, { claims, generatedAt: '2026-11-23T00:00:00Z', chunkRows: 100 });
  const file = join(base, 'report.html');
  writeFileSync(file, html);

  // Self-contained: chart.js inlined, nothing fetched from elsewhere.
  assert.match(html, /Chart\.js v4/);
  assert.doesNotMatch(html, /<(link|img|iframe)\b|src=["']?https?:|@import/i);
  assert.doesNotMatch(html, /url\(/);
  // Payloads never appear raw in the HTML.
  for (const p of [XSS_IMG, XSS_SCRIPT, XSS_MODEL, '<svg', '<img']) assert.ok(!html.includes(p), `raw ${p} in the HTML`);
  assert.equal(html.match(/<\/script>/g)!.length, html.match(/<script\b/g)!.length);

  const browser = await launch();
  try {
    const { page, watch } = await open(browser, file, { width: 1280, height: 900 });

    // Every chart canvas is drawn: count painted pixels.
    const canvases = await page.$$eval('canvas', (cs) =>
      cs.map((c) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) painted++;
        return { id: c.id, w: c.width, h: c.height, painted, url: c.toDataURL().length };
      }),
    );
    // Two suites × (F1, language, speed).
    assert.equal(canvases.length, 6, JSON.stringify(canvases));
    for (const c of canvases) {
      assert.ok(c.w > 100 && c.h > 100, `${c.id} has size ${c.w}x${c.h}`);
      assert.ok(c.painted > 0.02 * c.w * c.h, `${c.id} looks blank (${c.painted} painted pixels)`);
    }

    // Ties: scratch leads emotion; nb is close (tied); the weak model is worse.
    const board = await page.$$eval('table.board[data-suite="emotion"] tbody tr', (rows) => rows.map((r) => (r as HTMLTableRowElement).innerText.replace(/\s+/g, ' ')));
    assert.match(board[0]!, /^scratch leader/);
    assert.match(board[1]!, /^nb tied p=/);
    assert.match(board[2]!, /^evil"><svg onload=alert\(3\)> worse p<0\.001/);

    // Sorting by a header reorders the rows.
    await page.click('table.board[data-suite="emotion"] thead th:nth-child(4)');
    await page.click('table.board[data-suite="emotion"] thead th:nth-child(4)');
    const sorted = await page.$$eval('table.board[data-suite="emotion"] tbody th .model', (xs) => xs.map((x) => x.textContent));
    assert.deepEqual(sorted, [XSS_MODEL, 'nb', 'scratch'], 'ascending accuracy');

    // The neutral→sadness cell is shaded as the error it is, with its count, and explains itself.
    const cell = page.locator('.cm-card').first().locator('td.cm[data-gold="neutral"][data-pred="sadness"]');
    assert.equal((await cell.locator('b').textContent())!.trim(), '19');
    assert.match((await cell.getAttribute('style'))!, /background:rgba\(207,34,46,/);
    assert.match(await page.locator('.cm-card').first().locator('figcaption').innerText(), /neutral → sadness/);

    // Published claims: 180/200 right = 90% → the 82% claim is reproduced for scratch.
    const claimRow = page.locator('table.claims tr', { hasText: '82% emotion recognition accuracy overall' });
    assert.match(await claimRow.innerText(), /90\.0% \[/);
    assert.equal(await claimRow.locator('td:last-child').innerText(), 'reproduced');
    assert.match(await page.locator('table.claims').innerText(), /not measured/);

    // Explorer: first page, then payload texts appear literally.
    assert.match(await page.locator('#ex-count').innerText(), /^1–50 of 660 samples$/);
    await page.fill('#ex-q', 'onerror');
    await page.waitForFunction(() => document.querySelector('#ex-count')!.textContent!.includes('matching'));
    const inputs = await page.$$eval('#ex-results .sample-input', (xs) => xs.map((x) => x.textContent));
    assert.ok(inputs.length >= 4 && inputs.every((x) => x === XSS_IMG), JSON.stringify(inputs));
    const raws = await page.$$eval('#ex-results .raw', (xs) => xs.map((x) => x.textContent));
    assert.ok(raws.includes(`Answer: ${XSS_IMG}`), JSON.stringify(raws));
    await page.fill('#ex-q', '</script>');
    await page.waitForFunction((s) => [...document.querySelectorAll('#ex-results .sample-input')].some((x) => x.textContent === s), XSS_SCRIPT);
    await page.fill('#ex-q', '');
    await page.selectOption('#ex-model', { label: `${XSS_MODEL} (emotion)` });
    await page.selectOption('#ex-outcome', 'wrong');
    await page.waitForFunction(() => /of 133 matching/.test(document.querySelector('#ex-count')!.textContent!));
    const shown = await page.$$eval('#ex-results .sample-head .model', (xs) => xs.map((x) => x.textContent));
    assert.ok(shown.length === 50 && shown.every((x) => x === XSS_MODEL), JSON.stringify(shown));
    await page.click('#ex-next');
    assert.match(await page.locator('#ex-page').innerText(), /page 2 of 3/);

    // Clicking a confusion cell shows its samples.
    await cell.click();
    await page.waitForFunction(() => /^1–19 of 19 matching/.test(document.querySelector('#ex-count')!.textContent!));
    const labels = await page.$$eval('#ex-results .sample-labels', (xs) => xs.map((x) => x.textContent));
    assert.ok(labels.every((l) => l === 'expected neutral · predicted sadness'), JSON.stringify(labels));

    // Nothing was injected or executed.
    const injected = await page.evaluate(() => ({
      img: document.querySelectorAll('img').length,
      svg: document.querySelectorAll('svg').length,
      scripts: [...document.scripts].filter((s) => s.type !== 'application/json').length,
    }));
    assert.deepEqual(injected, { img: 0, svg: 0, scripts: 2 });
    assert.deepEqual(watch.dialogs, []);
    assert.deepEqual(watch.problems, []);

    await page.screenshot({ path: join(base, 'report-desktop.png'), fullPage: true });
    await page.close();

    // Phone width: no page-level horizontal scrolling (wide tables scroll inside their box).
    const phone = await open(browser, file, { width: 390, height: 844 });
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than a phone screen`);
    assert.deepEqual(phone.watch.problems, []);
    await phone.page.screenshot({ path: join(base, 'report-phone.png'), fullPage: true });
    await phone.page.close();
    t.diagnostic(`report and screenshots: ${base}`);
  } finally {
    await browser.close();
  }
});

test('the explorer stays fast with 100,000 samples', { skip: skipUnless(CHROMIUM_COMPONENT) }, async () => {
  const base = tempDir('emobench-report-big-');
  const small = await loadRun(writeFixtureRun(join(base, 'run'), 'nb', Array.from({ length: 50 }, (_, i) => i % 3 !== 0)));
  // 5 models × 20,000 samples, the summaries from the small run (only the explorer is under test).
  const models = ['m0', 'm1', 'm2', 'm3', 'm4'];
  const many: SampleRecord[] = [];
  for (const m of models) {
    for (let i = 0; i < 20_000; i++) {
      const expected = LABELS[i % 5]!;
      const ok = (i * 7 + m.charCodeAt(1)) % 10 < 7;
      const pred = ok ? expected : LABELS[(i + 2) % 5]!;
      many.push({ model: m, suite: 'emotion', id: `r${i}`, lang: i % 2 ? 'en' : 'ja', tags: [], input: `row ${i}: a customer message about an order that arrived ${i % 9} days late`, expected, output: pred, pred, correct: ok, latency_ms: 2, error: null });
    }
  }
  const run: LoadedRun = { dir: join(base, 'big'), summary: { ...small.summary, models: models.map((m) => ({ ...small.summary.models[0]!, spec: m })) }, samples: many };
  const started = Date.now();
  const html = renderReport([run]);
  const renderMs = Date.now() - started;
  const file = join(base, 'big.html');
  writeFileSync(file, html);
  assert.equal(html.match(/class="eb-rows"/g)!.length, 20, 'rows in blocks of 5,000');
  assert.ok(renderMs < 15_000, `render took ${renderMs} ms`);

  const browser = await launch();
  try {
    const t0 = Date.now();
    const { page, watch } = await open(browser, file, { width: 1280, height: 900 });
    assert.match(await page.locator('#ex-count').innerText(), /^1–50 of 100,000 samples$/);
    const loadMs = Date.now() - t0;
    assert.equal(await page.locator('#ex-results .sample').count(), 50, 'one page rendered');
    const t1 = Date.now();
    await page.fill('#ex-q', 'r19999');
    await page.waitForFunction(() => /matching/.test(document.querySelector('#ex-count')!.textContent!), undefined, { polling: 10 });
    const filterMs = Date.now() - t1 - 200; // minus the typing debounce
    assert.match(await page.locator('#ex-count').innerText(), /^1–5 of 5 matching samples \(100,000 in all\)$/);
    assert.ok(loadMs < 10_000, `load took ${loadMs} ms`);
    assert.ok(filterMs < 3_000, `search took ${filterMs} ms`);
    assert.deepEqual(watch.problems, []);
  } finally {
    await browser.close();
  }
});

test('report folds throughput runs, memory profiles and attention analyses into one page and checks their claims', { skip: skipUnless(CHROMIUM_COMPONENT) }, async () => {
  const base = tempDir('emobench-report-extras-');
  const tp = join(base, 'tp');
  const prof = join(base, 'prof');
  const att = join(base, 'att');
  for (const args of [
    ['eval', '--suite', 'throughput', '--model', 'scratch@tiny', '--prompt-tokens', '16', '--batch', '1', '--repeats', '3', '--levels', '1', '--out', tp],
    ['profile', '--model', 'scratch@tiny', '--kv', 'fp16,int8', '--seq', '16,32', '--limit', '0', '--out', prof],
    ['attention', '--model', 'scratch@tiny', '--text', 'I love this, so happy!', '--text', 'This is awful', '--out', att],
  ]) {
    const r = emobench(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  const scored = writeFixtureRun(join(base, 'scored'), 'nb', Array.from({ length: 40 }, (_, i) => i % 4 !== 0));
  const out = join(base, 'all.html');
  const r = emobench(['report', scored, tp, prof, att, '--out', out, '--claims', join(ROOT, 'baselines', 'published.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /4 runs/);
  const html = readFileSync(out, 'utf8');
  for (const id of ['leaderboard', 'throughput', 'memory', 'attention', 'claims']) assert.match(html, new RegExp(`<section id="${id}"`), id);

  // The header counts every run given, of every kind, and says when in words.
  assert.match(html, /<p class="subtitle">[^<]*from 4 runs/);
  assert.match(html, /generated <time datetime="[^"]+">\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC<\/time>/);

  // Every axis is scaled to its data: tokens/s and bytes are not clipped to 0–100.
  const data = JSON.parse(html.match(/<script type="application\/json" id="eb-data">(.*?)<\/script>/s)![1]!) as PageData;
  const tpChart = data.charts.find((c) => c.id.startsWith('chart-tp-'))!;
  const tpMax = Math.max(...tpChart.series!.flatMap((x) => [...x.values, ...(x.hi ?? [])]).filter((v): v is number => v !== null));
  assert.notEqual(tpChart.y.scale, 'percent');
  if (tpChart.y.scale === 'linear') assert.ok(tpChart.y.max! >= tpMax && tpChart.y.max! < 2 * tpMax + 1, `tokens/s axis ${tpChart.y.max} for a top of ${tpMax}`);
  for (const c of data.charts.filter((x) => x.id.startsWith('chart-mem-'))) {
    assert.notEqual(c.y.scale, 'percent', c.title);
    const top = Math.max(...c.series!.flatMap((x) => x.values).filter((v): v is number => v !== null));
    assert.ok(top > 1, `${c.title}: values charted in a unit that makes them ${top} (a flat line)`);
  }
  const f1Chart = data.charts.find((c) => c.id.startsWith('chart-f1-'))!;
  assert.equal(f1Chart.y.scale, 'percent');
  // Tiny sizes in B / KiB, never "0.00 MiB".
  assert.doesNotMatch(html, />0\.00 MiB</);
  assert.match(html, /\d KiB</);

  const browser = await launch();
  try {
    const { page, watch } = await open(browser, out, { width: 1280, height: 900 });
    const charts = await page.$$eval('#throughput canvas, #memory canvas', (cs) =>
      cs.map((c) => {
        const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
        let painted = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) painted++;
        return { id: c.id, painted };
      }),
    );
    // Throughput: one chart; the profile: KV by length, components, one generation's timeline.
    assert.equal(charts.length, 4, JSON.stringify(charts));
    for (const c of charts) assert.ok(c.painted > 1000, `${c.id} looks blank`);
    // The Runs section lists every run, of each kind.
    assert.deepEqual(await page.$$eval('#runs .meta-card h3 .badge', (xs) => xs.map((x) => x.textContent)), ['eval', 'throughput', 'profile', 'attention']);
    // Claims about the article's 93M-parameter model on a GPU are not judged on scratch@tiny (random
    // weights, 44 thousand parameters, CPU): "not measured", with the reason.
    const row = (text: string) => page.locator('table.claims tr', { hasText: text });
    for (const [claim, why] of [
      ['about 85 tokens/s', /about 93M parameters; scratch@tiny has [\d,]+/],
      ['cut inference VRAM by about 30%', /about 93M parameters; scratch@tiny has [\d,]+/],
      ['costs about +15% memory', /about 93M parameters; scratch@tiny has [\d,]+/],
      ['raises attention scores on related words', /scratch@tiny has random weights; the claim is about the trained model/],
      ['about 93 million parameters', /no run measured profile\.params for scratch@paper/],
    ] as const) {
      assert.match(await row(claim).locator('td:last-child').innerText(), /^not measured/, claim);
      assert.match(await row(claim).innerText(), why, claim);
    }
    assert.deepEqual(watch.problems, []);
  } finally {
    await browser.close();
  }

  // Only extras, no scored run: still a report; md/csv need a scored run.
  assert.equal(emobench(['report', prof, '--out', join(base, 'p.html')]).code, 0);
  assert.match(emobench(['report', prof, '--format', 'md']).stderr, /need a scored run/);
});
