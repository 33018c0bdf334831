import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../src/errors.js';
import { checkOptions, parseModelSpec } from '../src/models/spec.js';

test('parses names, configs, targets and options', () => {
  assert.deepEqual(parseModelSpec('nb'), { raw: 'nb', name: 'nb', config: undefined, target: undefined, options: {} });
  const s = parseModelSpec('scratch@paper?engine=ort&kv=int8&bias=off&window=256');
  assert.equal(s.name, 'scratch');
  assert.equal(s.config, 'paper');
  assert.deepEqual(s.options, { engine: 'ort', kv: 'int8', bias: 'off', window: '256' });
  assert.equal(parseModelSpec('scratch:./weights/dir').target, './weights/dir');
  assert.equal(parseModelSpec('openai:gpt-4o-mini').target, 'gpt-4o-mini');
  assert.equal(parseModelSpec('onnx:C:/models/m.onnx').target, 'C:/models/m.onnx');
});

test('rejects malformed specs with a message naming the spec', () => {
  for (const bad of ['', '  ', '@paper', 'scratch?kv=1&kv=2', 'scratch?1bad=x', 'sc ratch']) {
    assert.throws(() => parseModelSpec(bad), (e: unknown) => e instanceof UserError && /model spec/.test(e.message), bad);
  }
});

test('unknown options are refused, listing the known ones', () => {
  assert.throws(() => checkOptions(parseModelSpec('nb?kv=int8'), []), /unknown option kv \(this model takes none\)/);
  assert.throws(() => checkOptions(parseModelSpec('x?a=1&b=2'), ['a']), /unknown option b \(known: a\)/);
});
