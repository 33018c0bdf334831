import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers/cli.js';
import { skipUnless, type SystemComponent } from './helpers/system.js';

const absent: SystemComponent = { name: 'Widget (/nope)', present: () => false, enable: 'apt-get install widget', requireVar: 'EMOBENCH_TEST_REQUIRE_WIDGET' };

test('a missing system component skips its tests with the command that enables them, or fails them where required', () => {
  delete process.env['EMOBENCH_TEST_REQUIRE_WIDGET'];
  assert.equal(skipUnless(absent), 'Widget (/nope) not found; run `apt-get install widget` to run this test (EMOBENCH_TEST_REQUIRE_WIDGET=1 makes this a failure, as .ci/run does)');
  process.env['EMOBENCH_TEST_REQUIRE_WIDGET'] = '1';
  assert.equal(skipUnless(absent), false, 'required: the test runs, and fails on the missing component');
  delete process.env['EMOBENCH_TEST_REQUIRE_WIDGET'];
  assert.equal(skipUnless({ ...absent, present: () => true }), false);
});

test('CI installs the browser, requires it, and skips the CUDA download through the variable onnxruntime reads', () => {
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  assert.match(ci, /^export EMOBENCH_REQUIRE_BROWSER=1$/m);
  assert.match(ci, /^export ONNXRUNTIME_NODE_INSTALL=skip$/m);
  // npm warns on every call about a project config key it does not know.
  assert.doesNotMatch(readFileSync(join(ROOT, '.npmrc'), 'utf8'), /onnxruntime/);
});
