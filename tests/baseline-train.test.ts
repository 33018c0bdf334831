import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { emobench, fixtureDir, tempDir } from './helpers/cli.js';
import { syntheticCsv } from './helpers/synthetic.js';

// Every row in the train split, so the whole file trains; e.csv is scored.
const data = fixtureDir({ 'd.csv': syntheticCsv(300, 3).replace(/,test$/gm, ',train'), 'e.csv': syntheticCsv(100, 4) });
const DATA = `csv:${join(data, 'd.csv')}`;
const readModel = (path: string) => JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as { format: string; version: number; training: { data: { sha256: string; rows: number; repeat: number }[]; rows: number; rowsSha256: string }; model: { fit?: { converged: boolean } } };

test('train --kind tfidf|nb saves versioned baselines with their data hashes, and tfidf:<dir> / nb:<dir> evaluate them', () => {
  const root = tempDir();
  const tf = join(root, 'tfidf');
  const r = emobench(['train', '--kind', 'tfidf', '--data', `${DATA}*2`, '--dev', `csv:${join(data, 'e.csv')}`, '--out', tf]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /trained tfidf on 600 rows .*L-BFGS \d+ iterations, converged/);
  assert.match(r.stdout, /dev: csv:.*e\.csv acc \d/);
  const saved = readModel(join(tf, 'tfidf.json.gz'));
  assert.equal(saved.format, 'emobench-tfidf');
  assert.equal(saved.version, 1);
  assert.equal(saved.training.data[0]!.sha256, createHash('sha256').update(readFileSync(join(data, 'd.csv'))).digest('hex'));
  assert.deepEqual([saved.training.data[0]!.rows, saved.training.data[0]!.repeat, saved.training.rows], [300, 2, 600]);
  assert.equal(saved.model.fit!.converged, true);

  // Deterministic: the same data gives the same bytes.
  const again = join(root, 'again');
  assert.equal(emobench(['train', '--kind', 'tfidf', '--data', `${DATA}*2`, '--out', again, '--quiet']).code, 0);
  assert.ok(readFileSync(join(again, 'tfidf.json.gz')).equals(readFileSync(join(tf, 'tfidf.json.gz'))));

  const nb = join(root, 'nb');
  assert.equal(emobench(['train', '--kind', 'nb', '--data', DATA, '--out', nb]).code, 0);
  assert.equal(readModel(join(nb, 'nb.json.gz')).format, 'emobench-nb');

  const ev = emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${join(data, 'e.csv')}`, '--model', `tfidf:${tf}`, '--model', `nb:${nb}`, '--model', 'tfidf', '--out', join(root, 'ev'), '--json']);
  assert.equal(ev.code, 0, ev.stderr);
  const models = (JSON.parse(ev.stdout) as { models: { spec: string; n: number; metrics: { accuracy: { value: number } } }[] }).models;
  assert.deepEqual(models.map((m) => m.n), [80, 80, 80]);
  // The synthetic texts are mostly their class's words: well above chance (20%).
  for (const m of models) assert.ok(m.metrics.accuracy.value > 0.5, `${m.spec}: ${m.metrics.accuracy.value}`);
});

test('baseline training and loading refuse what they cannot honour', () => {
  const root = tempDir();
  const scratchFlag = emobench(['train', '--kind', 'tfidf', '--data', DATA, '--out', join(root, 'x'), '--lm-weight', '1']);
  assert.equal(scratchFlag.code, 2);
  assert.match(scratchFlag.stderr, /--lm-weight only apply to --kind scratch/);

  const missing = emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${join(data, 'e.csv')}`, '--model', `tfidf:${join(root, 'none')}`, '--out', join(root, 'ev')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no tfidf\.json\.gz there/);

  const future = join(root, 'future');
  assert.equal(emobench(['train', '--kind', 'nb', '--data', DATA, '--out', future, '--quiet']).code, 0);
  const file = join(future, 'nb.json.gz');
  const parsed = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Record<string, unknown>;
  writeFileSync(file, gzipSync(JSON.stringify({ ...parsed, version: 99 })));
  const v = emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${join(data, 'e.csv')}`, '--model', `nb:${future}`, '--out', join(root, 'ev2')]);
  assert.equal(v.code, 2);
  assert.match(v.stderr, /format version 99 is not supported/);
});
