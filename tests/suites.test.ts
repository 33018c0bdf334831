import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../src/errors.js';
import { loadSuite, parseSuiteText } from '../src/suites/load.js';

const valid = `name: mini
task: classification
dataset:
  path: data.csv
labels: [pos, neg]
default_models: [nb]
`;

function errorOf(text: string): string {
  try {
    parseSuiteText(text, 'suite.yaml');
  } catch (e) {
    assert.ok(e instanceof UserError, `expected UserError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected an error');
}

test('the shipped emotion suite loads', async () => {
  const s = await loadSuite('emotion');
  assert.equal(s.spec.name, 'emotion');
  assert.deepEqual(s.spec.labels, ['joy', 'anger', 'sadness', 'surprise', 'neutral']);
  assert.equal(s.spec.dataset?.split, 'test');
  assert.match(s.sha256, /^[0-9a-f]{64}$/);
});

test('a valid minimal suite gets defaults', () => {
  const s = parseSuiteText(valid, 'suite.yaml');
  assert.equal(s.dataset?.train_split, 'train');
});

test('an unknown field is named with its line', () => {
  const msg = errorOf(valid.replace('default_models:', 'metricz: [x]\ndefault_models:'));
  assert.match(msg, /suite\.yaml:6: field "\(top level\)": unknown field "metricz"/);
});

test('a wrong value names the nested field and its line', () => {
  const msg = errorOf(valid.replace('task: classification', 'task: ranking'));
  assert.match(msg, /suite\.yaml:2: field "task"/);
  const msg2 = errorOf(valid.replace('labels: [pos, neg]', 'labels: [pos, Neg]'));
  assert.match(msg2, /suite\.yaml:5: field "labels\.1"/);
});

test('a missing required field is reported by name', () => {
  const msg = errorOf(valid.replace('default_models: [nb]\n', ''));
  assert.match(msg, /field "default_models": is required/);
});

test('cross-field rules: classification needs labels; aliases must name labels', () => {
  assert.match(errorOf(valid.replace('labels: [pos, neg]\n', '')), /field "labels": a classification suite needs a label set/);
  const withAlias = `${valid}extract:\n  type: label\n  aliases:\n    happy: [glad]\n`;
  assert.match(errorOf(withAlias), /suite\.yaml:10: field "extract\.aliases\.happy": "happy" is not in labels/);
});

test('broken YAML is reported with line and column', () => {
  assert.match(errorOf('name: [unclosed\n'), /suite\.yaml:\d+:\d+: invalid YAML/);
});

test('an unknown suite name lists the shipped suites', async () => {
  await assert.rejects(loadSuite('nonexistent'), /unknown suite "nonexistent".*emotion/);
});

test('retired fields are refused with what to do instead, not accepted and ignored', () => {
  const metrics = errorOf(valid.replace('default_models:', 'metrics: [accuracy]\ndefault_models:'));
  assert.match(metrics, /suite\.yaml:6: field "\(top level\)": unknown field "metrics" \(metrics follow the task .*remove it\)/);
  const format = errorOf(valid.replace('  path: data.csv\n', '  path: data.csv\n  format: csv\n'));
  assert.match(format, /suite\.yaml:5: field "dataset": unknown field "format" \(name the format in the path instead, e\.g\. path: "jsonl:data\.txt"/);
});
