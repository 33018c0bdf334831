import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import OpenAI from 'openai';
import type { SampleRecord, Summary } from '../src/results/types.js';
import { emobench, emobenchAsync, ROOT, tempDir } from './helpers/cli.js';
import { startFaultProxy, startServe, type RunningServe } from './helpers/servers.js';
import { MULTIBYTE_TEXT, scriptedEngine } from './helpers/script-engine.js';
import { chatPrompt, completeLocally, type Generator } from '../src/models/local-chat.js';
import type { Model } from '../src/models/types.js';
import { generate, scratchTokens } from '../src/scratch/generate.js';
import { Tokenizer } from '../src/scratch/tokenizer.js';
import { createModelServer, SERVE_DEFAULTS } from '../src/serve/server.js';
import type { AddressInfo } from 'node:net';

const MODEL = 'scratch@tiny';
/** Samples in id order: concurrent requests finish in any order. */
const samplesOf = (dir: string) =>
  readFileSync(join(dir, 'samples.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SampleRecord)
    .sort((x, y) => (x.id < y.id ? -1 : 1));
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
/** The same decoding for the direct and the served run: seeded sampling (varied answers even from random weights), 6 tokens. */
const DECODE = ['--max-tokens', '6', '--temperature', '1', '--limit', '24', '--seed', '5', '--quiet'];

/**
 * The emotion suite with the bare text as prompt, on the rows short enough for the tiny test model's
 * 64-token (byte-level) context: the server refuses a longer prompt, as OpenAI does, where the direct
 * run would cut it.
 */
const suiteDir = tempDir();
const SUITE = join(suiteDir, 'short.yaml');
const rows = parse(readFileSync(join(ROOT, 'datasets', 'emotion', 'emotion.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
const short = rows.filter((r) => Buffer.byteLength(r['text']!) <= 40);
const csvField = (v: string) => `"${v.replace(/"/g, '""')}"`;
writeFileSync(join(suiteDir, 'short.csv'), [Object.keys(rows[0]!), ...short.map((r) => Object.values(r))].map((f) => f.map(csvField).join(',')).join('\n') + '\n');
writeFileSync(
  SUITE,
  `name: emotion-short\ntask: classification\ndataset:\n  path: ${join(suiteDir, 'short.csv')}\nlabels: [joy, anger, sadness, surprise, neutral]\nprompt:\n  user: "{{text}}"\ndefault_models: [nb]\n`,
);

let server: RunningServe;
before(async () => {
  server = await startServe(['--model', MODEL]);
});
after(async () => {
  await server.stop();
});

test('the emotion suite through openai: against emobench serve equals the model run directly; a rerun is all cache', async () => {
  const direct = join(tempDir(), 'direct');
  const d = emobench(['eval', '--suite', SUITE, '--model', `${MODEL}?head=lm`, '--out', direct, ...DECODE]);
  assert.equal(d.code, 0, d.stderr);
  const a = samplesOf(direct);
  const cacheDir = join(tempDir(), 'cache');
  const served = join(tempDir(), 'served');
  // A pass-through proxy counts the HTTP requests that reach the server.
  const counter = await startFaultProxy(server.url, () => 'pass');
  const spec = `openai:${MODEL}?base_url=${counter.url}`;
  const rerun = join(tempDir(), 'rerun');
  let b: SampleRecord[];
  try {
    const s = await emobenchAsync(['eval', '--suite', SUITE, '--model', spec, '--out', served, '--cache-dir', cacheDir, ...DECODE]);
    assert.equal(s.code, 0, s.stderr);
    b = samplesOf(served);
    assert.equal(counter.requests, 25, 'the preflight model list, then one request per sample');
    const r = await emobenchAsync(['eval', '--suite', SUITE, '--model', spec, '--out', rerun, '--cache-dir', cacheDir, ...DECODE]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(counter.requests, 26, 'the rerun sent no completion request, only the preflight');
  } finally {
    await counter.close();
  }
  assert.equal(b.length, 24);
  assert.deepEqual(b.map((r) => [r.id, r.output, r.pred]), a.map((r) => [r.id, r.output, r.pred]));
  assert.ok(new Set(a.map((r) => r.output)).size > 5, 'answers vary, so equality means something');
  assert.ok(b.every((r) => r.usage?.source === 'server' && r.cached === false && r.attempts === 1));
  assert.ok(b.every((r) => typeof r.ttft_ms === 'number' && r.ttft_ms >= 0));
  const cached = samplesOf(rerun);
  assert.ok(cached.every((r) => r.cached === true && r.attempts === 0));
  assert.deepEqual(cached.map((r) => r.output), b.map((r) => r.output));
  assert.equal(summaryOf(rerun).models[0]!.usage?.cached, 24);
});

test('through a fault-injecting proxy every sample appears once; retried ones are right, failed ones carry their error', async () => {
  const faults = ['http429', 'http500', 'stall', 'drop', 'malformed', 'cut-stream'] as const;
  let refusedText = '';
  const proxy = await startFaultProxy(server.url, (n, body) => {
    if (refusedText !== '' && body.includes(refusedText)) return 'http400';
    return n < faults.length * 2 && n % 2 === 0 ? faults[n / 2]! : 'pass';
  });
  // One sample's text is refused with a non-retryable 400 every time: it must fail with its error.
  const direct = join(tempDir(), 'direct');
  assert.equal(emobench(['eval', '--suite', SUITE, '--model', `${MODEL}?head=lm`, '--out', direct, ...DECODE]).code, 0);
  const expected = samplesOf(direct);
  refusedText = JSON.stringify(expected[7]!.input).slice(1, -1);
  const out = join(tempDir(), 'faults');
  const r = await emobenchAsync(['eval', '--suite', SUITE, '--model', `openai:${MODEL}?base_url=${proxy.url}`, '--out', out, '--no-cache', '--timeout', '1', '--concurrency', '1', ...DECODE]);
  await proxy.close();
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(Object.keys(proxy.injected).sort(), [...faults, 'http400'].sort());
  const got = samplesOf(out);
  assert.equal(got.length, 24);
  assert.equal(new Set(got.map((g) => g.id)).size, 24);
  const byId = new Map(expected.map((e) => [e.id, e]));
  for (const g of got) {
    if (g.input === expected[7]!.input) {
      assert.match(g.error ?? '', /HTTP 400/);
      assert.equal(g.correct, false);
      assert.equal(g.pred, null);
      continue;
    }
    assert.equal(g.error, null, `${g.id}: ${g.error}`);
    assert.equal(g.output, byId.get(g.id)!.output, `${g.id} retried to the same answer`);
  }
  assert.ok(got.some((g) => (g.attempts ?? 0) > 1), 'some samples needed retries');
  const s = summaryOf(out).models[0]!;
  assert.equal(s.errors, 1);
  assert.equal(s.error_rate, 1 / 24);
});

test('curl-style and SDK requests, streaming and not; OpenAI-style errors', async () => {
  const client = new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
  const list = await client.models.list();
  assert.deepEqual(list.data.map((m) => m.id), [MODEL]);
  const full = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello' }], max_tokens: 4, n: 2, seed: 3, temperature: 1 });
  assert.equal(full.choices.length, 2);
  const used = full.usage?.completion_tokens ?? 0;
  assert.ok(used > 0 && used <= 2 * 4, `completion tokens over both choices: ${used}`);
  assert.equal(full.usage?.total_tokens, used + (full.usage?.prompt_tokens ?? 0));
  const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello' }], max_tokens: 4, stream: true, stream_options: { include_usage: true } });
  let text = '';
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    usage = chunk.usage ?? usage;
  }
  const same = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello' }], max_tokens: 4 });
  assert.equal(text, same.choices[0]!.message.content, 'streamed text equals the non-streamed answer (greedy)');
  assert.equal(usage?.completion_tokens, same.usage?.completion_tokens);
  const completion = await client.completions.create({ model: MODEL, prompt: 'Once', max_tokens: 3 });
  assert.equal(completion.object, 'text_completion');

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const bad = await post(JSON.stringify({ model: MODEL, messages: [{ role: 'robot', content: 'x' }] }));
  assert.equal(bad.status, 400);
  const err = (await bad.json()) as { error: { type: string; param: string; message: string } };
  assert.equal(err.error.type, 'invalid_request_error');
  assert.equal(err.error.param, 'messages.0.role');
  assert.equal((await post('{not json')).status, 400);
  assert.equal((await post(JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens: 100_000 }))).status, 400);
  assert.equal((await post(JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x' }], n: 99 }))).status, 400);
  assert.equal((await post(JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'x' }] }))).status, 404);
  assert.equal((await post('x'.repeat(2 << 20))).status, 413);
  assert.equal((await fetch(`${server.url.replace('/v1', '')}/package.json`)).status, 404);
});

test('with an API key, a missing or wrong key gets 401; SIGTERM shuts down cleanly', async () => {
  const keyed = await startServe(['--model', MODEL], { EMOBENCH_API_KEY: 'sk-test-123' });
  try {
    const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens: 2 });
    const call = (auth?: string) => fetch(`${keyed.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body });
    assert.equal((await call()).status, 401);
    const wrong = await call('Bearer sk-wrong');
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
    assert.equal((await call('Bearer sk-test-123')).status, 200);
    assert.equal((await fetch(`${keyed.url}/models`, { headers: { authorization: 'Bearer sk-test-123' } })).status, 200);
  } finally {
    assert.equal(await keyed.stop('SIGTERM'), 0);
  }
});

test('n choices without a seed are independent samples; with a seed they are reproducible', async () => {
  const client = new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
  const ask = async (seed?: number) =>
    (await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello there' }], max_tokens: 8, n: 3, temperature: 1, ...(seed !== undefined ? { seed } : {}) })).choices.map((c) => c.message.content);
  const [a, b] = [await ask(), await ask()];
  assert.ok(new Set(a).size > 1, `three different samples: ${JSON.stringify(a)}`);
  assert.notDeepEqual(a, b, 'a second request samples afresh');
  const [s1, s2] = [await ask(11), await ask(11)];
  assert.deepEqual(s1, s2, 'the same seed gives the same choices');
  assert.ok(new Set(s1).size > 1);
});

test('a prompt longer than the context is refused with 400 context_length_exceeded; array-form content is accepted', async () => {
  const post = (body: unknown) => fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const long = await post({ model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(200) }], max_tokens: 2 });
  assert.equal(long.status, 400);
  const err = ((await long.json()) as { error: { code: string; param: string; message: string } }).error;
  assert.equal(err.code, 'context_length_exceeded');
  assert.equal(err.param, 'messages');
  assert.match(err.message, /maximum context length is 64 tokens\. However, your messages resulted in 2\d\d tokens/);
  const text = await post({ model: MODEL, messages: [{ role: 'user', content: 'hello' }], max_tokens: 4 });
  const parts = await post({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }], max_tokens: 4 });
  assert.equal(parts.status, 200, await parts.clone().text());
  const answer = async (r: Response) => ((await r.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
  assert.equal(await answer(parts), await answer(text), 'the same prompt either way');
  const image = await post({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] });
  assert.equal(image.status, 400);
});

test('a served classifier answers a classification prompt with the label eval gets from it directly', async () => {
  const direct = join(tempDir(), 'direct');
  const common = ['--suite', 'emotion', '--limit', '12', '--quiet'];
  assert.equal(emobench(['eval', ...common, '--model', MODEL, '--out', direct]).code, 0);
  const served = join(tempDir(), 'served');
  const r = await emobenchAsync(['eval', ...common, '--model', `openai:${MODEL}?base_url=${server.url}`, '--out', served, '--no-cache']);
  assert.equal(r.code, 0, r.stderr);
  const a = samplesOf(direct);
  const b = samplesOf(served);
  assert.deepEqual(b.map((x) => [x.id, x.pred, x.error]), a.map((x) => [x.id, x.pred, null]));
  assert.ok(new Set(a.map((x) => x.pred)).size > 1, 'predictions vary, so equality means something');
});

test('the server streams Japanese and emoji whole: no chunk holds U+FFFD and the chunks join to the answer', async () => {
  const tok = new Tokenizer([]); // byte-level: every non-ASCII character spans 2 to 4 tokens
  const engine = scriptedEngine(tok.encode(MULTIBYTE_TEXT), { vocab: tok.vocabSize, eos: tok.eos });
  const local: Generator = { generateBatch: (prompts, opts, onToken) => generate(engine, scratchTokens(tok), prompts, opts, onToken) };
  const model: Model = {
    spec: 'scripted',
    meta: () => ({ spec: 'scripted', kind: 'scratch', config: {}, config_hash: '' }),
    chat: (req, signal, onToken) => completeLocally(local, chatPrompt(req.messages), req.sampling, signal, onToken),
  };
  const http = createModelServer(model, { ...SERVE_DEFAULTS, modelName: 'scripted' });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  try {
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1`, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'hi' }], max_tokens: 200, stream: true });
    const pieces: string[] = [];
    for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta?.content ?? '');
    assert.ok(pieces.filter((p) => p !== '').length > 10, JSON.stringify(pieces));
    assert.ok(pieces.every((p) => !p.includes('\uFFFD')), JSON.stringify(pieces));
    assert.equal(pieces.join(''), MULTIBYTE_TEXT);
  } finally {
    await new Promise((resolve) => http.close(resolve));
  }
});

test('serve --json prints its address as one JSON line on stdout and logs nothing', async () => {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'emobench.js'), 'serve', '--model', MODEL, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
  const first = await new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    void exited.then((c) => reject(new Error(`serve exited ${c}: ${err}`)));
  });
  const at = JSON.parse(first) as { url: string; model: string };
  assert.equal(at.model, MODEL);
  const models = (await (await fetch(`${at.url}/models`)).json()) as { data: { id: string }[] };
  assert.deepEqual(models.data.map((m) => m.id), [MODEL]);
  proc.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.equal(err, '');
});
