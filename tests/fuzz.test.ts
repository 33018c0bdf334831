import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadDataset } from '../src/datasets/load.js';
import { UserError } from '../src/errors.js';
import { parseGate } from '../src/gates/expr.js';
import { Tokenizer, trainBpe } from '../src/scratch/tokenizer.js';
import { parseModelSpec } from '../src/models/spec.js';
import { parseSuiteText } from '../src/suites/load.js';
import { emobenchAsync, tempDir } from './helpers/cli.js';
import { startFaultProxy, startServe } from './helpers/servers.js';

/**
 * Property tests on everything a user or a server can hand emobench: whatever the input, the
 * result is a value or a UserError with a message — never another exception (a stack trace).
 */
const RUNS = 300;
const onlyUserErrors = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    assert.ok(e.message.length > 0);
  }
};
const onlyUserErrorsAsync = async (f: () => Promise<unknown>) => {
  try {
    await f();
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
  }
};

const LABELS = ['joy', 'anger', 'sadness', 'surprise', 'neutral'];
const dir = tempDir();

/** CSV-ish text: real rows, broken quoting, wrong column counts, junk. */
const csvText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc
    .array(
      fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 30 }), fc.oneof(fc.constantFrom(...LABELS), fc.string({ maxLength: 8 })), fc.constantFrom('en', 'ja', ''), fc.constantFrom('test', 'train', '')),
      { maxLength: 20 },
    )
    .map((rows) => `id,text,label,lang,split\n${rows.map((r) => r.join(',')).join('\n')}`),
);

test('CSV, TSV and JSONL loaders: any content gives rows or a UserError', async () => {
  let i = 0;
  await fc.assert(
    fc.asyncProperty(csvText, fc.constantFrom('csv', 'tsv', 'jsonl', 'goemotions', 'xed', 'wrime'), fc.boolean(), async (text, format, lenient) => {
      const path = join(dir, `f${i++}.${format === 'tsv' ? 'tsv' : 'txt'}`);
      writeFileSync(path, format === 'tsv' ? text.replaceAll(',', '\t') : text);
      await onlyUserErrorsAsync(() => loadDataset(`${format}:${path}`, { labels: LABELS, lenient }));
    }),
    { numRuns: RUNS },
  );
});

test('suite YAML: any document gives a suite or a UserError naming the file', () => {
  const yamlish = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.dictionary(fc.constantFrom('name', 'task', 'dataset', 'labels', 'metrics', 'default_models', 'prompt', 'extract', 'throughput', 'bogus'), fc.jsonValue({ maxDepth: 2 })).map((o) => JSON.stringify(o)),
  );
  fc.assert(
    fc.property(yamlish, (text) => {
      try {
        parseSuiteText(text, 'fuzz.yaml');
      } catch (e) {
        assert.ok(e instanceof UserError, String(e));
        assert.match(e.message, /fuzz\.yaml/);
      }
    }),
    { numRuns: RUNS },
  );
});

test('model specs and gate expressions: parsed or refused with a UserError', () => {
  fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => onlyUserErrors(() => parseModelSpec(s))), { numRuns: RUNS * 3 });
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.tuple(fc.constantFrom('emotion', 'x'), fc.constantFrom('.accuracy', '.f1.anger', '.f1', '.', ''), fc.constantFrom('>=', '<', '=>', '=', ''), fc.string({ maxLength: 6 })).map((p) => p.join(''))), (s) =>
      onlyUserErrors(() => parseGate(s)),
    ),
    { numRuns: RUNS * 3 },
  );
});

test('tokenizer: any Unicode round-trips; any tokenizer.json is loaded or refused clearly', () => {
  const tok = trainBpe(['hello world 嬉しい 😊 hello there', 'とても悲しい日でした', 'what a surprise!'], 400);
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (s) => {
      assert.equal(tok.decode(tok.encode(s)), s);
    }),
    { numRuns: RUNS },
  );
  const json = tok.toJSON() as unknown as Record<string, unknown>;
  fc.assert(
    fc.property(fc.constantFrom('model', 'added_tokens', 'version', 'pre_tokenizer', 'decoder'), fc.jsonValue({ maxDepth: 2 }), (key, value) => {
      onlyUserErrors(() => Tokenizer.fromJSON({ ...json, [key]: value }, 'fuzz.json'));
    }),
    { numRuns: RUNS },
  );
});

test('OpenAI responses and SSE streams: random bodies from a server become sample errors, never a crash', async () => {
  const server = await startServe(['--model', 'scratch@tiny']);
  const bodies = fc.sample(
    fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => `data: ${JSON.stringify(v)}\n\ndata: [DONE]\n\n`),
      fc.constant('data: {"choices":[{"index":0,"delta":{"content":"joy"}}]}\n\n'),
      fc.constant('data: {"choices":[{"index":0,"delta":{"content":"joy"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'),
    ),
    { numRuns: 40, seed: 7 },
  );
  const proxy = await startFaultProxy(server.url, () => 'pass', (n) => bodies[n % bodies.length]!);
  try {
    const out = join(tempDir(), 'run');
    const r = await emobenchAsync(['eval', '--suite', 'emotion', '--model', `openai:scratch@tiny?base_url=${proxy.url}`, '--limit', '20', '--max-tokens', '4', '--timeout', '1', '--no-cache', '--out', out, '--quiet', '--no-preflight', '--max-error-rate', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  } finally {
    await proxy.close();
    await server.stop();
  }
});
