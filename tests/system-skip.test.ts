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

test('CI installs the browser and requires it; the onnxruntime CUDA download is skipped by package.json, as on a fresh clone', () => {
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  assert.match(ci, /^export EMOBENCH_REQUIRE_BROWSER=1$/m);
  // CI installs as the README's quick start does: no variable a reader would not have set.
  assert.doesNotMatch(ci, /^export ONNXRUNTIME_NODE_INSTALL/m);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
  assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
  // npm warns on every call about a project config key it does not know.
  assert.doesNotMatch(readFileSync(join(ROOT, '.npmrc'), 'utf8'), /onnxruntime/);
});
