import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSafetensors } from '../src/scratch/safetensors.js';
import { flipPolarity, augment } from '../src/train/augment.js';
import { loadCheckpoint } from '../src/train/checkpoint.js';
import { epochBatches } from '../src/train/data.js';
import { learningRate } from '../src/train/optimizer.js';
import { emobench, fixtureDir, ROOT, tempDir } from './helpers/cli.js';
import { syntheticCsv } from './helpers/synthetic.js';

// Every row in the train split, so the whole file trains.
const data = fixtureDir({ 'd.csv': syntheticCsv(160, 7).replace(/,test$/gm, ',train'), 'e.csv': syntheticCsv(50, 8) });
const DATA = `csv:${join(data, 'd.csv')}`;
const TINY = ['--config', 'tiny', '--data', DATA, '--batch', '8', '--max-len', '16'];
const bytes = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

interface LogLine {
  type: string;
  step: number;
  loss?: number;
}
const readLog = (dir: string): LogLine[] =>
  readFileSync(join(dir, 'train.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LogLine);

test('training lowers the joint loss and saves a model that scratch:<dir> loads', () => {
  const out = join(tempDir(), 'run');
  const r = emobench(['train', ...TINY, '--out', out, '--steps', '60', '--lr', '3e-3', '--warmup', '5', '--log-every', '10', '--dev', DATA]);
  assert.equal(r.code, 0, r.stderr);
  const losses = readLog(out).filter((e) => e.type === 'train').map((e) => e.loss!);
  assert.ok(losses.length >= 5);
  assert.ok(losses.at(-1)! < losses[0]! * 0.9, `loss did not fall: ${losses.join(', ')}`);
  for (const f of ['config.json', 'tokenizer.json', 'model.safetensors', 'curve.html', 'best/model.safetensors']) assert.ok(existsSync(join(out, f)), f);
  const curve = readFileSync(join(out, 'curve.html'), 'utf8');
  assert.match(curve, /new Chart\(/);
  // The learning rate (around 1e-3) has its own labelled axis, or it is a flat line at 0 beside losses of 1–5.
  assert.match(curve, /yAxisID: 'lr'/);
  assert.match(curve, /lr: \{ type: 'linear', axis: 'y', position: 'right'[^\n]*title\('learning rate'\)/);
  assert.match(curve, /y: \{ type: 'linear', position: 'left', title: title\('cross-entropy \(nats\)'\) \}/);

  const ev = emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${join(data, 'e.csv')}`, '--model', `scratch:${out}`, '--out', join(tempDir(), 'ev'), '--json']);
  assert.equal(ev.code, 0, ev.stderr);
  assert.equal((JSON.parse(ev.stdout) as { models: { n: number }[] }).models[0]!.n, 40);

  const tuned = join(tempDir(), 'tuned');
  const ft = emobench(['train', '--config', 'tiny', '--init', out, '--data', DATA, '--out', tuned, '--steps', '5', '--lr', '1e-4', '--warmup', '0', '--readout', 'last']);
  assert.equal(ft.code, 0, ft.stderr);
  assert.equal(readFileSync(join(tuned, 'tokenizer.json'), 'utf8'), readFileSync(join(out, 'tokenizer.json'), 'utf8'));
  // The readout is part of the saved model (mean by default); fine-tuning may change it.
  const readout = (dir: string) => (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { emotionReadout?: string }).emotionReadout;
  assert.deepEqual([readout(out), readout(tuned)], ['mean', 'last']);
  assert.match(emobench(['train', '--resume', tuned, '--readout', 'mean']).stderr, /drop --readout/);
});

test('a run killed with SIGKILL and resumed ends at bitwise the same weights as an uninterrupted one', async () => {
  const args = [...TINY, '--steps', '120', '--warmup', '5', '--dev', DATA, '--lm-weight', '0.5', '--checkpoint-every', '10', '--eval-every', '40', '--log-every', '10'];
  const full = join(tempDir(), 'full');
  assert.equal(emobench(['train', ...args, '--out', full]).code, 0);

  const cut = join(tempDir(), 'cut');
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'emobench.js'), 'train', ...args, '--out', cut], { stdio: 'ignore' });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  let killedAt = -1;
  while (killedAt < 0) {
    await new Promise((r) => setTimeout(r, 10));
    const log = existsSync(join(cut, 'train.jsonl')) ? readFileSync(join(cut, 'train.jsonl'), 'utf8') : '';
    const m = [...log.matchAll(/"type":"checkpoint","step":(\d+)/g)].map((x) => Number(x[1]));
    if (m.some((s) => s >= 30)) {
      child.kill('SIGKILL');
      killedAt = Math.max(...m);
    }
  }
  assert.equal(await exited, null); // killed, not finished
  assert.ok(killedAt < 120, `the run finished (${killedAt}) before it could be killed`);
  assert.ok(!existsSync(join(cut, 'model.safetensors')));

  const resumed = emobench(['train', '--resume', cut, '--quiet']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const a = await loadCheckpoint(full);
  const b = await loadCheckpoint(cut);
  assert.equal(b.state.step, 120);
  for (const [name, w] of a.params) {
    assert.ok(bytes(b.params.get(name)!).equals(bytes(w)), `param ${name}`);
    assert.ok(bytes(b.m.get(name)!).equals(bytes(a.m.get(name)!)), `adam m ${name}`);
    assert.ok(bytes(b.v.get(name)!).equals(bytes(a.v.get(name)!)), `adam v ${name}`);
  }
  assert.deepEqual(readFileSync(join(cut, 'model.safetensors')), readFileSync(join(full, 'model.safetensors')));
  assert.deepEqual(readFileSync(join(cut, 'best', 'model.safetensors')), readFileSync(join(full, 'best', 'model.safetensors')));
});

test('a diverging run stops with exit 3 and a clear message, keeping the last good checkpoint', async () => {
  const out = join(tempDir(), 'nan');
  const r = emobench(['train', ...TINY, '--out', out, '--steps', '50', '--lr', '1e30', '--warmup', '0', '--checkpoint-every', '1']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /training diverged at step \d+: .* is not finite/);
  assert.match(r.stderr, /last good checkpoint is .*checkpoint\.safetensors \(step \d+\)/);
  const ck = await loadCheckpoint(out);
  for (const w of ck.params.values()) assert.ok(w.every(Number.isFinite));
  const { tensors } = await readSafetensors(join(out, 'checkpoint.safetensors'));
  assert.ok(tensors.size > 0);
  assert.ok(readLog(out).some((e) => e.type === 'nonfinite'));
});

test('bad flags and bad data exit 2 naming the problem', () => {
  const out = () => join(tempDir(), 'x');
  const cases: [string[], RegExp][] = [
    [['train', '--data', DATA, '--out', out()], /--config is required/],
    [['train', '--config', 'huge', '--data', DATA, '--out', out()], /unknown config "huge"/],
    [['train', '--config', 'tiny', '--out', out()], /--data is required/],
    [['train', '--config', 'tiny', '--data', DATA], /--out is required/],
    [['train', '--config', 'tiny', '--data', 'mystery', '--out', out()], /--data "mystery"/],
    [['train', '--config', 'tiny', '--data', 'csv:/nonexistent.csv', '--out', out()], /no such file/],
    [['train', ...TINY, '--lr', '-1', '--out', out()], /--lr must be a positive number/],
    [['train', ...TINY, '--seed', '1', '--seed', '2', '--out', out()], /--seed was given 2 times \(1, 2\); give it once/],
    [['train', ...TINY, '--augment', 'mirror', '--out', out()], /unknown augmentation "mirror"/],
    [['train', '--resume', out()], /no train-args\.json/],
    [['train', '--config', 'tiny', '--data', `csv:${join(fixtureDir({ 'b.csv': 'id,text,label\n1,hi,bliss\n' }), 'b.csv')}`, '--out', out()], /b\.csv:2.*bliss/],
  ];
  for (const [args, re] of cases) {
    const r = emobench(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
  }
});

test('schedule, batch order and polarity flips are deterministic and as documented', () => {
  const s = { lr: 1, warmupSteps: 10, totalSteps: 110, minLrRatio: 0.1 };
  assert.equal(learningRate(0, s), 0.1);
  assert.equal(learningRate(9, s), 1);
  assert.ok(Math.abs(learningRate(60, s) - 0.55) < 1e-12);
  assert.ok(Math.abs(learningRate(110, s) - 0.1) < 1e-12);

  const lengths = Array.from({ length: 100 }, (_, i) => (i * 37) % 23);
  assert.deepEqual(epochBatches(lengths, 8, 3, 1), epochBatches(lengths, 8, 3, 1));
  assert.notDeepEqual(epochBatches(lengths, 8, 3, 1), epochBatches(lengths, 8, 3, 2));
  assert.deepEqual(epochBatches(lengths, 8, 3, 1).flat().sort((a, b) => a - b), [...lengths.keys()]);

  assert.equal(flipPolarity('Best day ever, so happy!'), 'Worst day ever, so sad!');
  assert.equal(flipPolarity('試験に合格して嬉しい'), '試験に不合格して悲しい');
  assert.equal(flipPolarity('The bus leaves at 5'), undefined);
  const rows = [
    { text: 'I love it', label: 0, lang: 'en', source: 't' },
    { text: 'I love it', label: 1, lang: 'en', source: 't' },
  ];
  const flipped = augment(rows, ['polarity'], 0);
  assert.deepEqual(flipped.slice(2), [{ text: 'I hate it', label: 2, lang: 'en', source: 't+polarity' }]);
  const balanced = augment([...rows, { text: 'x', label: 0, lang: 'en', source: 't' }], ['rebalance'], 0);
  assert.equal(balanced.filter((r) => r.label === 1).length, 2);
});
