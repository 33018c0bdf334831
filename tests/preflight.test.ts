import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Summary } from '../src/results/types.js';
import { emobenchAsync, ROOT, tempDir } from './helpers/cli.js';
import { startFaultProxy, startServe, type RunningServe } from './helpers/servers.js';

/** A dead endpoint, a wrong model name, a refused key or failing requests are loud, never a 0% result. */

const MODEL = 'scratch@tiny';
const suiteDir = tempDir();
const SUITE = join(suiteDir, 'short.yaml');
// The bare text as prompt, so it fits the tiny model's 64-token context.
writeFileSync(
  SUITE,
  `name: emotion-short\ntask: classification\ndataset:\n  path: ${join(ROOT, 'datasets', 'emotion', 'emotion.csv')}\nlabels: [joy, anger, sadness, surprise, neutral]\nprompt:\n  user: "{{text}}"\ndefault_models: [nb]\n`,
);
const RUN = ['eval', '--suite', SUITE, '--limit', '4', '--max-tokens', '2', '--no-cache', '--timeout', '2', '--quiet'];
/** No OPENAI_BASE_URL from the developer's shell: it would change which names resolve. */
const env = { OPENAI_BASE_URL: '' };

let server: RunningServe;
before(async () => {
  server = await startServe(['--model', MODEL], { EMOBENCH_API_KEY: 'sk-right' });
});
after(async () => {
  await server.stop();
});

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

test('an endpoint nobody listens on: exit 3 naming the URL, before any run folder exists', async () => {
  const url = `http://127.0.0.1:${await deadPort()}/v1`;
  const out = join(tempDir(), 'run');
  const r = await emobenchAsync([...RUN, '--model', `openai:${MODEL}`, '--base-url', url, '--out', out], { env });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`cannot reach ${url.replace(/\./g, '\\.')}/models: ECONNREFUSED`));
  assert.equal(existsSync(out), false);
});

test('a model the server does not serve: exit 2 naming the URL and what it serves', async () => {
  const out = join(tempDir(), 'run');
  // The registry's emobench-serve entry asks for "scratch"; this server serves scratch@tiny.
  const r = await emobenchAsync([...RUN, '--model', 'openai:emobench-serve', '--base-url', server.url, '--out', out], { env: { ...env, EMOBENCH_API_KEY: 'sk-right' } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /openai:emobench-serve: http:\/\/127\.0\.0\.1:\d+\/v1\/models does not serve "scratch" \(it lists: scratch@tiny\)/);
  assert.equal(existsSync(out), false);
});

test('a refused API key: exit 2 naming the URL and the variable', async () => {
  const out = join(tempDir(), 'run');
  const r = await emobenchAsync([...RUN, '--model', `openai:${MODEL}?base_url=${server.url}&api_key_env=MY_KEY`, '--out', out], { env: { ...env, MY_KEY: 'sk-wrong' } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /\/v1\/models refused the API key \(HTTP 401\); \$MY_KEY/);
  assert.doesNotMatch(r.stderr, /sk-wrong/);
  const unset = await emobenchAsync([...RUN, '--model', `openai:${MODEL}?base_url=${server.url}&api_key_env=MY_KEY`, '--out', out], { env });
  assert.match(unset.stderr, /\$MY_KEY is not set/);
});

test('an openai: name in no registry and without --base-url is a usage error with a suggestion', async () => {
  const r = await emobenchAsync([...RUN, '--model', 'openai:gpt-4o-mni'], { env });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /"gpt-4o-mni" is not in baselines\/models\.yaml \(did you mean gpt-4o-mini\?\)/);
  assert.match(r.stderr, /--base-url/);
});

test('requests that fail: the first error is printed with the URL; past --max-error-rate the run exits 3 naming the model', async () => {
  // The model list passes (the preflight succeeds); every completion is refused.
  const proxy = await startFaultProxy(server.url, (_n, body) => (body === '' ? 'pass' : 'http400'));
  try {
    const spec = `openai:${MODEL}?base_url=${proxy.url}`;
    const out = join(tempDir(), 'run');
    const r = await emobenchAsync([...RUN, '--model', spec, '--out', out], { env: { ...env, OPENAI_API_KEY: 'sk-right' } });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`${spec.replace(/[?.]/g, '\\$&')} \\(${proxy.url.replace(/\./g, '\\.')}\\): sample \\S+ failed: HTTP 400`));
    assert.equal(r.stderr.match(/failed: HTTP 400/g)?.length, 1, 'only the first error of the model is printed');
    assert.match(r.stderr, /above --max-error-rate 0\.5: openai:scratch@tiny\S* 4\/4 \(100\.0%\)/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    assert.equal(summary.models[0]!.errors, 4, 'the samples are still on disk');
    const tolerated = await emobenchAsync([...RUN, '--model', spec, '--out', join(tempDir(), 'run'), '--max-error-rate', '1'], { env: { ...env, OPENAI_API_KEY: 'sk-right' } });
    assert.equal(tolerated.code, 0, tolerated.stderr);
  } finally {
    await proxy.close();
  }
});
