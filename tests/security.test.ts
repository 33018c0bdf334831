import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { emobenchAsync, tempDir, allText } from './helpers/cli.js';
import { startServe } from './helpers/servers.js';

const KEY = 'sk-planted-7f3a9c1e5b';

test('an API key never appears in results, cache, reports, JUnit, logs or error messages', async () => {
  const server = await startServe(['--model', 'scratch@tiny'], { EMOBENCH_API_KEY: KEY });
  const work = tempDir();
  const env = { RIGHT_KEY: KEY, WRONG_KEY: `${KEY}-wrong` };
  const common = ['--suite', 'emotion', '--limit', '6', '--max-tokens', '3', '--cache-dir', join(work, 'cache'), '--timeout', '10', '--max-error-rate', '1'];
  const outputs: string[] = [];
  try {
    const spec = (envName: string) => `openai:scratch@tiny?base_url=${server.url}&api_key_env=${envName}`;
    // Each with the exit code it must give: the gate on a tiny random model fails (1); a wrong key is
    // refused by the preflight (2), or with --no-preflight recorded per sample and, with --max-error-rate 1
    // above, the run completes (0).
    for (const [name, code, args] of [
      ['ok', 1, ['eval', ...common, '--model', spec('RIGHT_KEY'), '--out', join(work, 'ok'), '--report', '--junit', join(work, 'junit.xml'), '--gate', 'emotion.accuracy>=0.99']],
      ['refused at preflight', 2, ['eval', ...common, '--model', spec('WRONG_KEY'), '--out', join(work, 'preflight'), '--no-cache']],
      ['denied', 0, ['eval', ...common, '--model', spec('WRONG_KEY'), '--out', join(work, 'denied'), '--no-cache', '--no-preflight']],
      ['dry', 0, ['eval', ...common, '--model', spec('RIGHT_KEY'), '--dry-run']],
      ['json', 0, ['eval', ...common, '--model', spec('RIGHT_KEY'), '--out', join(work, 'json'), '--json']],
    ] as const) {
      const r = await emobenchAsync([...args], { env });
      outputs.push(r.stdout, r.stderr);
      assert.equal(r.code, code, `${name}: ${r.stderr}`);
    }
    const denied = readFileSync(join(work, 'denied', 'samples.jsonl'), 'utf8');
    assert.match(denied, /HTTP 401/, 'the wrong key was refused, and the refusal recorded');
    const ok = readFileSync(join(work, 'ok', 'samples.jsonl'), 'utf8');
    assert.doesNotMatch(ok, /HTTP 401/);
    const report = await emobenchAsync(['report', join(work, 'ok'), join(work, 'denied'), '--out', join(work, 'report.html')]);
    assert.equal(report.code, 0, report.stderr);
    outputs.push(report.stdout, report.stderr);
    const rescore = await emobenchAsync(['rescore', join(work, 'ok')]);
    assert.equal(rescore.code, 0, rescore.stderr);
    outputs.push(rescore.stdout, rescore.stderr);
  } finally {
    outputs.push(server.stderr());
    await server.stop();
  }
  const everything = allText(work) + outputs.join('\n');
  assert.ok(everything.length > 10_000, 'there was output to search');
  assert.equal(everything.includes(KEY), false, 'the planted key leaked');
  assert.equal(everything.includes('sk-planted'), false, 'a prefix of the planted key leaked');
});
