import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../src/errors.js';
import { checkOptions, parseModelSpec } from '../src/models/spec.js';
import type { ModelDescription } from '../src/models/types.js';

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

test('describeModel gives the config hash a loaded model reports, without loading scratch weights', async () => {
  const { createModel, describeModel } = await import('../src/models/registry.js');
  const tf = await import('@tensorflow/tfjs-core');
  const specs = ['scratch@tiny', 'scratch@tiny?seed=3&kv=int8&bias=off&window=16&head=lm', 'scratch@tiny?engine=ort&weights=int8', 'scratch', 'nb', 'majority'];
  const described: ModelDescription[] = [];
  for (const spec of specs) described.push(await describeModel(spec));
  // Nothing was loaded: no TensorFlow.js backend is even registered yet (initEngine imports them).
  assert.deepEqual(tf.engine().backendNames(), []);
  for (const [i, spec] of specs.entries()) {
    const d = described[i]!;
    const model = await createModel(spec);
    try {
      const meta = model.meta();
      assert.equal(d.meta.config_hash, meta.config_hash, spec);
      assert.equal(d.spec, model.spec);
      assert.equal(d.classifies, model.classify !== undefined, spec);
      assert.equal(d.chats, model.chat !== undefined, spec);
      // The loaded model's config also describes the engine it runs on; everything else is the same.
      const withoutEngine = ({ engine: _engine, ...rest }: Record<string, unknown>) => rest;
      assert.deepEqual(withoutEngine(d.meta.config), withoutEngine(meta.config), spec);
    } finally {
      await model.close?.();
    }
  }
  await assert.rejects(describeModel('scratch@huge'), UserError);
  await assert.rejects(describeModel('scratch@tiny?engine=gpu'), UserError);
});
