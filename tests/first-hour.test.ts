import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { emobench, tempDir } from './helpers/cli.js';

/** The basics a new user reaches for in the first five minutes: list, init, validate, help that helps. */

test('list names the shipped suites, model kinds, registry entries and weights; --json for scripts', () => {
  const r = emobench(['list']);
  assert.equal(r.code, 0, r.stderr);
  for (const s of ['emotion', 'throughput', 'majority', 'nb', 'scratch', 'openai', 'onnx', 'gpt-4o-mini', 'emobench-serve', 'models/scratch']) assert.match(r.stdout, new RegExp(s));
  const j = JSON.parse(emobench(['list', '--json']).stdout) as { suites: { name: string }[]; registry: { name: string }[]; weights: { spec: string; context: number | null }[] };
  assert.ok(j.suites.some((s) => s.name === 'emotion'));
  assert.ok(j.registry.some((e) => e.name === 'llama3-vllm'));
  assert.deepEqual(j.weights.map((w) => [w.spec, w.context]), [['scratch', 256], ['tfidf:models/tfidf-same-data', null]]);
});

test('init scaffolds a suite, sample data and a CI workflow whose commands pass as written', () => {
  const dir = tempDir();
  const r = emobench(['init', '--name', 'tickets'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const workflow = readFileSync(join(dir, '.github', 'workflows', 'emobench.yml'), 'utf8');
  // Every emobench step of the workflow, run in the scaffolded folder as CI would after `npm ci`.
  const steps = [...workflow.matchAll(/- run: npx emobench (.+?)(?:\s+#.*)?$/gm)].map((m) => m[1]!);
  assert.equal(steps.length, 2, workflow);
  for (const step of steps) {
    const args = [...step.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
    // As a user runs it: no EMOBENCH_RESULTS_DIR, so the run lands in ./results of the folder.
    const s = emobench([...args, '--quiet'], { cwd: dir, env: { EMOBENCH_RESULTS_DIR: '' } });
    assert.equal(s.code, 0, `${step}\n${s.stdout}${s.stderr}`);
  }
  assert.ok(existsSync(join(dir, 'results')), 'the run is in the user\'s results/ folder, where the workflow uploads it from');
  const again = emobench(['init', '--name', 'tickets'], { cwd: dir });
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exist.*--force overwrites/);
});

test('validate reports every bad row at once, capped with a count, and exits 2', () => {
  const dir = tempDir();
  const rows = ['id,text,label', '1,fine,joy', '2,,joy', '3,ok,boredom', '1,dup,joy', '5,ok,anger', '6,x,nope', '7,y,nope'];
  writeFileSync(join(dir, 'd.csv'), `${rows.join('\n')}\n`);
  const r = emobench(['validate', '--suite', 'emotion', '--dataset', `csv:${join(dir, 'd.csv')}`]);
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0]!, /d\.csv:3: field "text" is empty \(id 2\)/);
  assert.match(lines[1]!, /d\.csv:4: field "label": unknown label "boredom"/);
  assert.match(lines[2]!, /d\.csv:5: field "id": duplicate id "1"/);
  assert.match(r.stderr, /d\.csv:8: field "label": unknown label "nope"/);
  assert.match(r.stderr, /2 valid rows \(2 test\), 5 bad/);
  const capped = emobench(['validate', '--suite', 'emotion', '--dataset', `csv:${join(dir, 'd.csv')}`, '--max-errors', '2']);
  assert.equal(capped.stderr.split('\n').filter((l) => /d\.csv:\d+:/.test(l)).length, 2);
  assert.match(capped.stderr, /… and 3 more \(--max-errors 5 shows them all\)/);
  const good = emobench(['validate', '--suite', 'emotion']);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /\d+ valid rows \(\d+ train, 600 test[^)]*\), 0 bad/);
});

test('an unclosed quote: validate names the line where it opens, eval refuses there, eval --lenient scores the rows after it', () => {
  const dir = tempDir();
  const csv = join(dir, 'd.csv');
  writeFileSync(csv, 'id,text,label\n1,hello there,joy\n2,"I am so angry,anger\n3,fine day,neutral\n4,so sad,sadness\n5,wow!,surprise\n');
  const v = emobench(['validate', '--suite', 'emotion', '--dataset', `csv:${csv}`]);
  assert.equal(v.code, 2);
  assert.match(v.stderr, /d\.csv:3: malformed CSV: the quoted field that opens on this line is never closed/);
  assert.match(v.stderr, /4 valid rows \(4 test\), 1 bad/);
  const strict = emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${csv}`, '--model', 'majority', '--out', join(dir, 'strict'), '--quiet']);
  assert.equal(strict.code, 2);
  assert.match(strict.stderr, /d\.csv:3: malformed CSV/);
  const lenient = emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${csv}`, '--model', 'majority', '--lenient', '--out', join(dir, 'lenient'), '--quiet']);
  assert.equal(lenient.code, 0, lenient.stderr);
  const summary = JSON.parse(readFileSync(join(dir, 'lenient', 'summary.json'), 'utf8')) as { models: { n: number }[]; skipped_rows: { line: number }[] };
  assert.equal(summary.models[0]!.n, 4);
  assert.deepEqual(summary.skipped_rows.map((r) => r.line), [3]);
});

test('mistyped commands and options get "did you mean"; the top-level help has examples and --suite lists the suites', () => {
  const opt = emobench(['eval', '--suite', 'emotion', '--limt', '3']);
  assert.equal(opt.code, 2);
  assert.match(opt.stderr, /Unknown argument: --limt \(did you mean --limit\?\)/);
  const cmd = emobench(['evl']);
  assert.equal(cmd.code, 2);
  assert.match(cmd.stderr, /unknown command "evl"\. Did you mean eval\?/);
  const help = emobench(['--help']);
  assert.match(help.stdout, /Examples:[\s\S]*emobench eval --suite emotion/);
  assert.match(emobench(['eval', '--help']).stdout, /--suite +a shipped suite \(emotion, multilingual, [^)]*throughput/);
});

test('--columns and --labels read a file with other headers and label names, without editing it; resume keeps the mapping', () => {
  const dir = tempDir();
  const csv = join(dir, 'reviews.csv');
  const rows = ['review_id,review,sentiment,part'];
  const texts: Record<string, string[]> = { positive: ['I love it', 'wonderful, so happy', 'great, love this', 'happy with it'], negative: ['I hate it', 'furious, awful', 'outrageous, hate this', 'so angry'] };
  for (const [label, list] of Object.entries(texts)) list.forEach((t, i) => rows.push(`${label}${i},"${t}",${label},${i < 2 ? 'train' : 'test'}`));
  writeFileSync(csv, `${rows.join('\n')}\n`);
  const plain = emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${csv}`, '--model', 'nb', '--quiet', '--out', join(dir, 'x')]);
  assert.equal(plain.code, 2);
  assert.match(plain.stderr, /reviews\.csv:1: header lacks columns "id", "text", "label" \(found: review_id, review, sentiment, part\); map yours with --columns id=<your column>,text=<your column>,label=<your column>/);
  const mapping = ['--columns', 'id=review_id,text=review,label=sentiment,split=part', '--labels', 'positive=joy,negative=anger'];
  const out = join(dir, 'run');
  const r = emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${csv}`, '--model', 'nb', ...mapping, '--quiet', '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { models: { n: number; metrics: { accuracy: { value: number } } }[]; meta: { dataset: { train_rows: number } } };
  assert.equal(summary.models[0]!.n, 4, 'the four test rows');
  assert.equal(summary.meta.dataset.train_rows, 4, 'nb learned from the mapped train split');
  assert.ok(readFileSync(join(out, 'samples.jsonl'), 'utf8').includes('"expected":"joy"'));
  assert.match(readFileSync(join(out, 'run.json'), 'utf8'), /"positive": "joy"/);
  assert.equal(emobench(['validate', '--suite', 'emotion', '--dataset', `csv:${csv}`, ...mapping]).code, 0);
  const typo = emobench(['eval', '--suite', 'emotion', '--dataset', `csv:${csv}`, '--columns', 'txt=review']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /--columns: unknown column "txt" \(did you mean text\?\)/);
});

test('one meaning per option: every command that prints has --json and --quiet; --out, --limit and --batch name the same thing everywhere', () => {
  const help = (cmd: string) => emobench([cmd, '--help']).stdout;
  for (const cmd of ['eval', 'validate', 'list', 'gate', 'report', 'export-onnx', 'train', 'rescore', 'compare', 'serve', 'profile', 'attention', 'merge', 'view', 'publish', 'init']) {
    const h = help(cmd);
    assert.match(h, /--json\b/, `${cmd} --help lists --json`);
    assert.match(h, /--quiet\b/, `${cmd} --help lists --quiet`);
  }
  for (const cmd of ['eval', 'profile', 'attention', 'train']) assert.match(help(cmd), /--out\b.*run directory/, `${cmd}: --out is the run directory`);
  assert.match(help('profile'), /--limit, --accuracy-rows/);
  assert.match(help('profile'), /--report\b.*HTML page/);
  assert.match(help('attention'), /--out, --run-dir/);
  assert.match(help('train'), /--batch, --batch-size/);
  assert.doesNotMatch(help('train'), /^\s+--batch-size\b/m);
  const twice = emobench(['profile', '--model', 'scratch@tiny', '--out', 'a', '--out', 'b']);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /--out was given 2 times \(a, b\); give it once/);
});

test('--json prints the result as JSON and --quiet prints nothing, command by command', () => {
  const dir = tempDir();
  const run = (name: string, extra: string[] = []) => {
    const r = emobench(['eval', '--suite', 'emotion', '--model', 'majority', '--model', 'nb', '--limit', '40', '--out', join(dir, name), ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return r;
  };
  assert.equal(run('a', ['--quiet']).stdout, '');
  assert.equal(JSON.parse(run('b', ['--json', '--seed', '1']).stdout).schema, 'emobench.summary/1');
  const json = (args: string[]) => {
    const r = emobench(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const quiet = (args: string[]) => {
    const r = emobench([...args, '--quiet']);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '', `${args[0]} --quiet printed ${r.stdout}`);
  };
  const gate = ['gate', join(dir, 'a'), '--gate', 'emotion.accuracy>=0.01'];
  assert.equal(json([...gate, '--json']).pass, true);
  quiet(gate);
  const cmp = ['compare', join(dir, 'a'), join(dir, 'b')];
  assert.ok('comparison' in json([...cmp, '--json']));
  quiet(cmp);
  assert.equal(json(['rescore', join(dir, 'a'), '--json']).changed, 0);
  quiet(['rescore', join(dir, 'a')]);
  const report = json(['report', join(dir, 'a'), '--out', join(dir, 'r.html'), '--json']);
  assert.equal(report.out, join(dir, 'r.html'));
  quiet(['report', join(dir, 'a'), '--out', join(dir, 'r2.html')]);
  assert.deepEqual(json(['init', join(dir, 'init'), '--json']).files, [join(dir, 'init', 'my-suite.yaml'), join(dir, 'init', 'my-suite.csv'), join(dir, 'init', '.github', 'workflows', 'emobench.yml')]);
  quiet(['init', join(dir, 'init2')]);
  quiet(['attention', '--model', 'scratch@tiny', '--text', 'so happy today', '--out', join(dir, 'att')]);
  quiet(['profile', '--model', 'scratch@tiny', '--kv', 'int8', '--seq', '8', '--decode-steps', '1', '--out', join(dir, 'prof')]);
  assert.equal(json(['publish', join(dir, 'a'), '--out', join(dir, 'site'), '--json']).runs, 1);
});
