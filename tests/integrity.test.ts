import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, createReadStream, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { labelExtractor } from '../src/extract/label.js';
import type { Model } from '../src/models/types.js';
import type { SampleRecord, Summary } from '../src/results/types.js';
import { createModelServer, SERVE_DEFAULTS } from '../src/serve/server.js';
import { emobenchAsync, fixtureDir, ROOT, tempDir, allText } from './helpers/cli.js';
import { labelledCsv, startMockOpenAI } from './helpers/mock-openai.js';
import { syntheticCsv } from './helpers/synthetic.js';

const BIN = join(ROOT, 'bin', 'emobench.js');
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
const samplesOf = (dir: string): SampleRecord[] => {
  const path = join(dir, 'samples.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as SampleRecord);
};

/** Spawns the CLI; resolves with its exit code and stderr; `whenRunning` may signal it. */
function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, exited, stderr: () => stderr, stdout: () => stdout };
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const apiArgs = (url: string, data: string, out: string, extra: string[] = []) => [
  'eval', '--suite', 'emotion', '--dataset', `csv:${data}`, '--model', `openai:mock?base_url=${url}`, '--no-cache', '--no-preflight', '--out', out, '--quiet', ...extra,
];

test('#19.2 SIGINT during an API run: requests in flight finish and are kept; new ones are not started', async () => {
  const mock = await startMockOpenAI(() => ({ delayMs: 1200 }));
  const data = join(fixtureDir({ 'd.csv': labelledCsv(8) }), 'd.csv');
  const out = join(tempDir(), 'run');
  try {
    const run = spawnCli(apiArgs(mock.url, data, out, ['--concurrency', '4']));
    await until(() => mock.requests >= 4, 'four requests in flight');
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    assert.equal(code, 130, run.stderr());
    const kept = samplesOf(out);
    assert.equal(kept.length, 4, 'the four answers in flight were written');
    assert.ok(kept.every((r) => r.error === null && r.correct), JSON.stringify(kept.map((r) => r.error)));
    assert.equal(mock.requests, 4, 'no request was started after the signal');
    const r = await emobenchAsync(['eval', '--resume', out, '--no-preflight', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(samplesOf(out).length, 8);
    assert.equal(summaryOf(out).models[0]!.metrics.accuracy.value, 1);
  } finally {
    await mock.close();
  }
});

test('#19.2 a request cut off by the stop timeout is left undone (resume runs it), never stored as an error', async () => {
  let slow = true;
  const mock = await startMockOpenAI(() => ({ delayMs: slow ? 60_000 : 0 }));
  const data = join(fixtureDir({ 'd.csv': labelledCsv(6) }), 'd.csv');
  const out = join(tempDir(), 'run');
  try {
    const run = spawnCli(apiArgs(mock.url, data, out, ['--concurrency', '3', '--stop-timeout', '0.3']));
    await until(() => mock.requests >= 3, 'three requests in flight');
    const t0 = Date.now();
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    assert.equal(code, 143, run.stderr());
    assert.ok(Date.now() - t0 < 10_000, 'the stop timeout bounded the wait');
    assert.deepEqual(samplesOf(out), [], 'a cut-off request is not a sample');
    assert.equal(summaryOf(out).complete, false);
    slow = false;
    const r = await emobenchAsync(['eval', '--resume', out, '--no-preflight', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const all = samplesOf(out);
    assert.equal(all.length, 6);
    assert.ok(all.every((s) => s.error === null && s.correct));
  } finally {
    await mock.close();
  }
});

test('#19.2 a signal landing while the run is finishing (writing the step summary) is not ignored: exit 130', async () => {
  const dir = tempDir();
  const fifo = join(dir, 'step-summary.md');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const data = join(fixtureDir({ 'd.csv': labelledCsv(10) }), 'd.csv');
  const out = join(dir, 'run');
  const run = spawnCli(['eval', '--suite', 'emotion', '--dataset', `csv:${data}`, '--model', 'majority', '--out', out, '--quiet', '--gate', 'emotion.accuracy>=0'], { GITHUB_STEP_SUMMARY: fifo });
  // The run writes its summary, then blocks opening the FIFO until it is read here: the signal lands
  // while it is finishing.
  await until(() => existsSync(join(out, 'summary.json')), 'the summary');
  await new Promise((r) => setTimeout(r, 300));
  run.child.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 300));
  let md = '';
  for await (const c of createReadStream(fifo)) md += (c as Buffer).toString();
  const { code } = await run.exited;
  assert.match(md, /emotion\.accuracy/);
  assert.equal(code, 130, run.stderr());
  assert.equal(summaryOf(out).complete, true, 'the summary written before the signal stands');
});

test('#19.3 a server echoing the key, credentials in --base-url, and a secrets file as a dataset leak nowhere', async () => {
  const KEY = 'planted-7f3a9c1e5b22d4';
  // The server refuses every request, quoting the credentials it was sent.
  const mock = await startMockOpenAI((r) => ({ status: 400, body: JSON.stringify({ error: { message: `bad key ${KEY}; you sent "${String(r.headers.authorization)}" via ${r.headers.host}` } }) }));
  const work = tempDir();
  const data = join(fixtureDir({ 'd.csv': labelledCsv(4) }), 'd.csv');
  const env = { EMOBENCH_TEST_AUTH: KEY };
  const printed: string[] = [];
  try {
    const out = join(work, 'echo');
    const r = await emobenchAsync([...apiArgs(mock.url, data, out), '--api-key-env', 'EMOBENCH_TEST_AUTH', '--report', '--json'], { env });
    printed.push(r.stdout, r.stderr);
    // Every request failed: the run is kept on disk but exits 3 (--max-error-rate), not as a result.
    assert.equal(r.code, 3, r.stderr);
    assert.match(readFileSync(join(out, 'samples.jsonl'), 'utf8'), /HTTP 400: .*bad key \[REDACTED\]/, 'the error is kept, the key masked');
    for (const cmd of [['report', out, '--format', 'md'], ['rescore', out]]) {
      const x = await emobenchAsync(cmd, { env });
      printed.push(x.stdout, x.stderr);
    }
    const withUserinfo = mock.url.replace('http://', 'http://alice:s3cretpass99@') + '?api_key=qq-url-secret-77&x=1';
    const u = await emobenchAsync(['eval', '--suite', 'emotion', '--dataset', `csv:${data}`, '--model', 'openai:mock', '--base-url', withUserinfo, '--no-cache', '--no-preflight', '--out', join(work, 'url'), '--json'], { env });
    printed.push(u.stdout, u.stderr);
    assert.ok(existsSync(join(work, 'url', 'summary.json')), u.stderr);
    const envFile = join(fixtureDir({ 'secrets.env': `OPENAI_API_KEY=sk-live-abcdef1234567890XYZ\nDB_PASSWORD=hunter2hunter2\n` }), 'secrets.env');
    const d = await emobenchAsync(['eval', '--suite', 'emotion', '--dataset', `csv:${envFile}`, '--model', 'majority', '--out', join(work, 'env')]);
    assert.equal(d.code, 2);
    printed.push(d.stdout, d.stderr);
    const wide = join(fixtureDir({ 'wide.csv': `${'x'.repeat(50_000)},label\n1,joy\n` }), 'wide.csv');
    const w = await emobenchAsync(['eval', '--suite', 'emotion', '--dataset', `csv:${wide}`, '--model', 'majority', '--out', join(work, 'wide')]);
    assert.equal(w.code, 2);
    assert.ok(w.stderr.length < 1000, `a huge header line is quoted in part only (${w.stderr.length} characters)`);
  } finally {
    await mock.close();
  }
  const everything = allText(work) + printed.join('\n');
  for (const secret of [KEY, 's3cretpass99', 'qq-url-secret-77', 'abcdef1234567890', 'hunter2hunter2']) {
    assert.equal(everything.includes(secret), false, `${secret} leaked`);
  }
});

/** A summary without what legitimately differs between two runs of one plan: timestamps and timings. */
function stable(s: Summary): unknown {
  return { ...s, meta: { ...s.meta, started_at: 0, ended_at: 0 }, models: s.models.map((m) => ({ ...m, latency_ms: 0 })) };
}

const baselineArgs = (data: string, out: string, extra: string[] = []) => ['eval', '--suite', 'emotion', '--dataset', `csv:${data}`, '--model', 'nb', '--model', 'majority', '--seed', '3', '--out', out, '--quiet', ...extra];

test('#19.4 a resume where a model has nothing left, and a merge of shards without summaries, record the same metadata as one run', async () => {
  const data = join(fixtureDir({ 'd.csv': syntheticCsv(400) }), 'd.csv');
  const base = tempDir();
  const ref = join(base, 'ref');
  assert.equal((await emobenchAsync(baselineArgs(data, ref))).code, 0);

  // Killed during majority's samples, after every nb sample was written.
  const out = join(base, 'resumed');
  assert.equal((await emobenchAsync(baselineArgs(data, out))).code, 0);
  const lines = readFileSync(join(out, 'samples.jsonl'), 'utf8').split('\n').filter(Boolean);
  const firstMajority = lines.findIndex((l) => (JSON.parse(l) as SampleRecord).model === 'majority');
  writeFileSync(join(out, 'samples.jsonl'), lines.slice(0, firstMajority + 5).join('\n') + '\n');
  rmSync(join(out, 'summary.json'));
  const r = await emobenchAsync(['eval', '--resume', out, '--no-preflight', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(stable(summaryOf(out)), stable(summaryOf(ref)));

  const shards = [0, 1].map((i) => join(base, `shard${i}`));
  for (const [i, dir] of shards.entries()) {
    assert.equal((await emobenchAsync(baselineArgs(data, dir, ['--shard', `${i}/2`]))).code, 0);
    rmSync(join(dir, 'summary.json'));
  }
  const merged = join(base, 'merged');
  const m = await emobenchAsync(['merge', ...shards, '--out', merged]);
  assert.equal(m.code, 0, m.stderr);
  assert.deepEqual(summaryOf(merged).models.map((x) => x.meta), summaryOf(ref).models.map((x) => x.meta));
});

test('#19.5 a dataset file replaced during a run fails the run clearly instead of being scored under the old hash', async () => {
  const dir = fixtureDir({ 'd.csv': labelledCsv(6) });
  const data = join(dir, 'd.csv');
  // Same ids and texts, every label rotated: what the run must not score under the old hash.
  const rotated = readFileSync(data, 'utf8').replace(/,(joy|anger|sadness|surprise|neutral),/g, (_, l: string) => `,${{ joy: 'anger', anger: 'sadness', sadness: 'surprise', surprise: 'neutral', neutral: 'joy' }[l]},`);
  const mock = await startMockOpenAI((r) => {
    if (r.n === 0) {
      writeFileSync(join(dir, 'new.csv'), rotated);
      renameSync(join(dir, 'new.csv'), data);
    }
    return {};
  });
  const out = join(tempDir(), 'run');
  try {
    const r = await emobenchAsync([...apiArgs(mock.url, data, out, ['--concurrency', '1']), '--model', 'majority']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /d\.csv was replaced or modified during the run/);
    assert.ok(samplesOf(out).every((s) => !rotated.includes(`${s.id},${s.input},${s.expected}`)), 'no sample carries a label from the new file');
  } finally {
    await mock.close();
  }
});

test('#19.7 label extraction is linear in the answer length', () => {
  const extractor = labelExtractor(['joy', 'anger', 'sadness', 'surprise', 'neutral'], { joy: ['happy'], sadness: ['sad'] });
  const t0 = performance.now();
  assert.equal(extractor.extract('joy '.repeat(400_000)), 'joy');
  assert.equal(extractor.extract('joy sad '.repeat(200_000)), null);
  // Quadratic matching took 21.7 s for 200,000 repeats; linear takes well under a second per 100,000.
  assert.ok(performance.now() - t0 < 30_000, `${Math.round(performance.now() - t0)} ms`);
});

test('#19.7 an endless answer is cut at --max-output-bytes (marked truncated); a slow drip hits the request deadline', { timeout: 90_000 }, async () => {
  const mock = await startMockOpenAI((r) => (r.n === 0 ? { endless: 'joy ' } : { endless: 'x', dripMs: 50 }));
  const data = join(fixtureDir({ 'd.csv': labelledCsv(1) }), 'd.csv');
  const base = tempDir();
  try {
    const r = await emobenchAsync([...apiArgs(mock.url, data, join(base, 'cut')), '--max-output-bytes', '100000']);
    assert.equal(r.code, 0, r.stderr);
    const [cut] = samplesOf(join(base, 'cut'));
    assert.equal(cut!.truncated, true);
    assert.equal(Buffer.byteLength(cut!.output), 100_000);
    assert.equal(cut!.pred, 'joy');
    assert.equal(cut!.error, null);
    assert.ok(mock.sentBytes < 50_000_000, `the stream was closed after the cap (${mock.sentBytes} bytes sent)`);

    const t0 = Date.now();
    const d = await emobenchAsync([...apiArgs(mock.url, data, join(base, 'drip')), '--request-deadline', '1']);
    // The one sample failed on its deadline: kept on disk, and the run exits 3 (--max-error-rate), not as a result.
    assert.equal(d.code, 3, d.stderr);
    const [drip] = samplesOf(join(base, 'drip'));
    assert.match(drip!.error ?? '', /request deadline/);
    assert.equal(drip!.attempts, 1, 'a request over its deadline is not retried');
    assert.ok(Date.now() - t0 < 30_000);
  } finally {
    await mock.close();
  }
});

/** One line on stderr, no stack trace. */
function assertOneLine(stderr: string, what: string): void {
  assert.equal(stderr.trim().split('\n').length, 1, `${what}: ${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at |unexpected failure/, what);
}

test('#19.9 environment and input failures are one-line errors with exit 2 or 3, leaving what was written', { timeout: 120_000 }, async () => {
  const data = join(fixtureDir({ 'd.csv': labelledCsv(10) }), 'd.csv');
  const base = tempDir();
  const run = join(base, 'run');
  const ok = await emobenchAsync(['eval', '--suite', 'emotion', '--dataset', `csv:${data}`, '--model', 'majority', '--out', run, '--quiet']);
  assert.equal(ok.code, 0, ok.stderr);
  const samples = readFileSync(join(run, 'samples.jsonl'), 'utf8');

  for (const [target, reason] of [['/dev/full', /no space left/], ['/proc/version', /input\/output error|permission denied|not permitted/]] as const) {
    const r = await emobenchAsync(['gate', run, '--gate', 'emotion.accuracy>=0', '--junit', target]);
    assert.equal(r.code, 3, `--junit ${target}: ${r.stderr}`);
    assert.match(r.stderr, reason);
    assertOneLine(r.stderr, `--junit ${target}`);
  }

  // Node's recursive mkdir spins forever under /proc; the run must fail at once instead.
  const proc = spawnCli(['eval', '--suite', 'emotion', '--dataset', `csv:${data}`, '--model', 'majority', '--out', '/proc/emobench-nope/run']);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 30_000);
  const { code } = await proc.exited;
  clearTimeout(timer);
  assert.equal(code, 3, proc.stderr());
  assertOneLine(proc.stderr(), '--out /proc/…');

  const huge = join(fixtureDir({ 'h.csv': `id,text,label,split\nh1,${'very long '.repeat(250_000)},joy,test\nh2,short,joy,train\n` }), 'h.csv');
  const h = await emobenchAsync(['eval', '--suite', 'emotion', '--dataset', `csv:${huge}`, '--model', 'nb', '--out', join(base, 'huge')]);
  assert.equal(h.code, 2, h.stderr);
  assert.match(h.stderr, /h\.csv:2: field "text" is 2500000 bytes, over the limit of 1048576/);
  assertOneLine(h.stderr, 'a huge text');
  assert.equal(existsSync(join(base, 'huge')), false, 'bad input leaves nothing behind');

  for (const [bad, field] of [['null', /expected object, received null/], [samples.split('\n')[0]!.replace(/"lang":"[a-z]+"/, '"lang":null'), /field "lang": .*expected string, received null/]] as const) {
    const dir = join(base, `bad-${field.source.length}`);
    cpSync(run, dir, { recursive: true });
    const lines = samples.trim().split('\n');
    lines.splice(3, 0, bad);
    writeFileSync(join(dir, 'samples.jsonl'), lines.join('\n') + '\n');
    for (const cmd of [['rescore', dir], ['report', dir, '--format', 'md'], ['gate', run, '--baseline', dir], ['compare', run, dir], ['eval', '--resume', dir]]) {
      const r = await emobenchAsync(cmd);
      assert.equal(r.code, 2, `${cmd.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /samples\.jsonl:4: field /, cmd[0]);
      assert.match(r.stderr, field, cmd[0]);
      assertOneLine(r.stderr, cmd.join(' '));
    }
    assert.equal(readFileSync(join(dir, 'samples.jsonl'), 'utf8'), lines.join('\n') + '\n', 'the file is left as it was');
  }
});

test('#19.8 a cache that cannot be written is a warning: the paid answers stand', async () => {
  const mock = await startMockOpenAI();
  const data = join(fixtureDir({ 'd.csv': labelledCsv(5) }), 'd.csv');
  const base = fixtureDir({ 'not-a-dir': 'a file where the cache folder would go' });
  const out = join(base, 'run');
  try {
    const args = apiArgs(mock.url, data, out).filter((a) => a !== '--no-cache');
    const r = await emobenchAsync([...args, '--cache-dir', join(base, 'not-a-dir', 'cache')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.match(/warning: cannot write the response cache/g)?.length, 1, r.stderr);
    const s = samplesOf(out);
    assert.equal(s.length, 5);
    assert.ok(s.every((x) => x.error === null && x.correct), JSON.stringify(s.map((x) => x.error)));
  } finally {
    await mock.close();
  }
});

/** A raw HTTP request with any headers (fetch will not send a foreign Host). */
function rawRequest(port: number, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('#19.10 serve without a key refuses forgeable requests (no JSON content type, a foreign Host); a client hanging up is one log line', async () => {
  const model: Model = {
    spec: 'echo',
    meta: () => ({ spec: 'echo', kind: 'api', config: {}, config_hash: '' }),
    chat: async () => ({ text: 'joy', usage: { prompt_tokens: 1, completion_tokens: 1, source: 'estimate' }, e2e_ms: 0, cached: false, attempts: 1 }),
  };
  const body = JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] });
  const logged: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (logged.push(String(chunk)), true)) as typeof process.stderr.write;
  const servers = [createModelServer(model, { ...SERVE_DEFAULTS, modelName: 'echo', allowedHosts: ['box.lan'] }), createModelServer(model, { ...SERVE_DEFAULTS, modelName: 'echo', apiKey: 'k-123456789' })];
  try {
    const [open, keyed] = await Promise.all(servers.map(async (s) => {
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
      return (s.address() as AddressInfo).port;
    }));
    const json = { 'content-type': 'application/json' };
    assert.equal(await rawRequest(open!, { ...json, host: `127.0.0.1:${open}` }, body), 200);
    assert.equal(await rawRequest(open!, { ...json, host: `localhost:${open}` }, body), 200);
    assert.equal(await rawRequest(open!, { ...json, host: 'box.lan:8000' }, body), 200, '--allowed-host');
    assert.equal(await rawRequest(open!, { 'content-type': 'text/plain', host: `127.0.0.1:${open}` }, body), 415);
    assert.equal(await rawRequest(open!, { host: `127.0.0.1:${open}` }, body), 415);
    assert.equal(await rawRequest(open!, { ...json, host: 'attacker.example:8000' }, body), 403, 'DNS rebinding');
    assert.equal(await rawRequest(keyed!, { ...json, host: 'attacker.example', authorization: 'Bearer k-123456789' }, body), 200, 'a key makes the Host irrelevant');

    // A client that sends half its body and hangs up.
    await new Promise<void>((resolve) => {
      const sock = connect(open!, '127.0.0.1', () => {
        sock.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":`);
        setTimeout(() => {
          sock.destroy();
          resolve();
        }, 100);
      });
    });
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    process.stderr.write = write;
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
  }
  const log = logged.join('');
  assert.match(log, /^emobench serve: client disconnected during POST \/v1\/chat\/completions\n$/m);
  assert.doesNotMatch(log, /\n\s+at /, 'no stack trace');
});

test('#19.11 TSV without quoting, duplicate header, invalid UTF-8, HTML in Markdown, torn shards, --shard -1/3, --base-url on resume', { timeout: 180_000 }, async () => {
  const base = tempDir();
  const ev = (data: string, out: string, extra: string[] = []) => ['eval', '--suite', 'emotion', '--dataset', data, '--model', 'majority', '--out', join(base, out), '--quiet', ...extra];

  const tsv = join(fixtureDir({ 'q.tsv': 'id\ttext\tlabel\tsplit\na\the said "wow\tsurprise\ttest\nb\t"quoted" and more\tjoy\ttrain\n' }), 'q.tsv');
  const t = await emobenchAsync(ev(`tsv:${tsv}`, 'tsv'));
  assert.equal(t.code, 0, t.stderr);
  assert.equal(samplesOf(join(base, 'tsv'))[0]!.input, 'he said "wow');

  const dup = join(fixtureDir({ 'd.csv': 'id,text,label,label\na,x,joy,anger\n' }), 'd.csv');
  const d = await emobenchAsync(ev(`csv:${dup}`, 'dup'));
  assert.equal(d.code, 2);
  assert.match(d.stderr, /d\.csv:1: header names column "label" twice/);

  const latin1 = join(tempDir(), 'l.csv');
  writeFileSync(latin1, Buffer.concat([Buffer.from('id,text,label,split\na,caf'), Buffer.from([0xe9]), Buffer.from(' ok,joy,test\nb,fine,joy,test\nc,train row,joy,train\n')]));
  const strict = await emobenchAsync(ev(`csv:${latin1}`, 'latin1'));
  assert.equal(strict.code, 2);
  assert.match(strict.stderr, /l\.csv:2: field "text": invalid UTF-8/);
  const lenient = await emobenchAsync(ev(`csv:${latin1}`, 'latin1-lenient', ['--lenient']));
  assert.equal(lenient.code, 0, lenient.stderr);
  assert.equal(summaryOf(join(base, 'latin1-lenient')).skipped_rows.length, 1);

  const xss = join(fixtureDir({ 'x.csv': 'id,text,label,lang,split\na,hi,joy,<img src=x onerror=alert(1)>,test\nb,yo,joy,en,train\n' }), 'x.csv');
  const stepSummary = join(base, 'step.md');
  const x = await emobenchAsync(ev(`csv:${xss}`, 'xss', ['--gate', 'emotion.accuracy>=0']), { env: { GITHUB_STEP_SUMMARY: stepSummary } });
  assert.equal(x.code, 0, x.stderr);
  const md = await emobenchAsync(['report', join(base, 'xss'), '--format', 'md']);
  for (const text of [md.stdout, readFileSync(stepSummary, 'utf8')]) {
    assert.doesNotMatch(text, /<img/);
  }
  assert.match(md.stdout, /&lt;img/, 'the value is shown, escaped');

  const data = join(fixtureDir({ 'd.csv': syntheticCsv(60) }), 'd.csv');
  for (const i of [0, 1]) assert.equal((await emobenchAsync(ev(`csv:${data}`, `shard${i}`, ['--shard', `${i}/2`]))).code, 0);
  appendFileSync(join(base, 'shard1', 'samples.jsonl'), '{"model":"majority","id":"s9');
  const torn = await emobenchAsync(['merge', join(base, 'shard0'), join(base, 'shard1'), '--out', join(base, 'merged')]);
  assert.equal(torn.code, 2, torn.stderr);
  assert.match(torn.stderr, /shard1\/samples\.jsonl: the last line is torn/);

  const neg = await emobenchAsync(['eval', '--suite', 'emotion', '--shard', '-1/3']);
  assert.equal(neg.code, 2);
  assert.match(neg.stderr, /--shard "-1\/3"/);
  assert.doesNotMatch(neg.stderr, /Unknown argument/);

  const mock = await startMockOpenAI();
  try {
    const api = join(fixtureDir({ 'd.csv': labelledCsv(6) }), 'd.csv');
    const out = join(base, 'api');
    const r = await emobenchAsync(['eval', '--suite', 'emotion', '--dataset', `csv:${api}`, '--model', 'openai:mock', '--base-url', mock.url, '--no-cache', '--no-preflight', '--out', out, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(join(out, 'samples.jsonl'), 'utf8').split('\n').filter(Boolean);
    writeFileSync(join(out, 'samples.jsonl'), lines.slice(0, 2).join('\n') + '\n');
    const resumed = await emobenchAsync(['eval', '--resume', out, '--no-cache', '--no-preflight', '--quiet']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(samplesOf(out).filter((s) => s.correct).length, 6);
  } finally {
    await mock.close();
  }
});
