import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT, tempDir } from './helpers/cli.js';
import { startServe, type RunningServe } from './helpers/servers.js';

/**
 * Every emobench command the README shows, run as written — so a recipe cannot drift from the code.
 * The commands are read from README.md's code blocks; each runs through `sh -c` in a fresh temporary
 * folder (globs, redirects and pipes as a user's shell has them; nothing lands in the repository),
 * with `emobench` on PATH running this checkout. What is changed, and why, is all in SUBSTITUTIONS
 * and WAIVED below: a README command that is in neither this file's runs nor its waivers fails the
 * coverage test, so a new or edited recipe must be run here too.
 */

/** The command lines: `npx emobench …` in sh and yaml blocks (continuations joined, comments cut). */
export function readmeCommands(readme: string): string[] {
  const out: string[] = [];
  for (const [, , body] of readme.matchAll(/```(sh|bash|yaml)\n([\s\S]*?)```/g)) {
    for (const raw of body!.replace(/\\\n\s*/g, '').split('\n')) {
      const m = /(?:^|\s|")(?:npx )?(emobench (?:[a-z-]+)(?:[^"#\n]|"[^"]*")*?)\s*(?:#.*|"\]?)?$/.exec(raw.replace(/^\s*- run: /, ''));
      if (m && !raw.includes('emobench-serve:')) out.push(m[1]!.trim());
    }
  }
  return out;
}

/**
 * Commands shown but not run here, each with the reason. Everything else in the README runs.
 */
const WAIVED: Record<string, string> = {
  'emobench eval --suite <name|path.yaml> [--model <spec>]... [options]': 'a synopsis, not a command',
  "emobench train --config small --data 'emotion*20' --data goemotions:path/to/goemotions/train.tsv --lm-weight 0 --eval-every 250 --out runs/small": 'needs the GoEmotions file, which is not in the repository (train is run by tests/train.test.ts)',
  'emobench train --resume runs/small': 'continues the waived training run above (resume is run by tests/train.test.ts)',
};

/**
 * Text substitutions, in order, applied to every command before it runs. Each keeps the command's
 * meaning and shrinks its cost: the paper config becomes the tiny one, grids become small, endpoints
 * become local `emobench serve` processes (named as the registry's model ids), placeholder run names
 * become runs the earlier commands made.
 */
function substitutions(urls: Record<string, string>): [RegExp, string | ((...m: string[]) => string)][] {
  return [
    [/scratch@paper/g, 'scratch@tiny'],
    // Endpoints: every openai: model goes to a local server that serves its registry model id.
    [/openai:(gpt-4o-mini|llama3-vllm|emobench-serve|my-model)/g, (_m, name) => `'openai:${name}?base_url=${urls[name!]}'`],
    [/ --base-url http:\/\/10\.0\.0\.5:8080\/v1/g, ''],
    [/ --port 8000/g, ' --port 0'],
    // Throughput and profile grids: small lengths and batches for the tiny model's 64-token context.
    [/(eval --suite throughput .*)$/, '$1 --prompt-tokens 16 --output-tokens 4 --batch 1 --repeats 2'],
    [/--levels 1,4,16,64/g, '--levels 1,2'],
    [/--seq 128,512,1024|--seq 64,128,256/g, '--seq 16,32'],
    [/(emobench profile --model [^ ]+)$/, '$1 --seq 16,32'],
    [/(emobench profile .*--json)/, '$1 --seq 16 --accuracy-rows 4'],
    [/--kv-heads 12,4,1/g, '--kv-heads 4,2,1'],
    [/--window none,256/g, '--window none,16'],
    [/(emobench attention --model scratch)$/, '$1 --limit 12'],
    // Classification evals: a seeded subset, except the CI example, whose gate must hold on the full set.
    // Classification evals: a seeded subset, except where gates judge the figures (a subset's would be noise).
    [/^(emobench eval --suite emotion(?!.*--gate)(?!.*--dry-run).*)$/, '$1 --limit 40'],
    // CI matrices: the four shards one after another, and a Kubernetes volume as a local folder.
    [/\/results\//g, 'results/'],
    [/^(.*(?:\$\{\{ matrix\.shard \}\}|\$JOB_COMPLETION_INDEX).*)$/, (_m, c) => `for i in 0 1 2 3; do ${c!.replace(/\$\{\{ matrix\.shard \}\}|\$JOB_COMPLETION_INDEX/g, '$i')} || exit 1; done`],
  ];
}

const servers: RunningServe[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});

/** Runs one command line in `cwd` through sh, with the PATH shim. */
function sh(line: string, cwd: string, bin: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], { cwd, env: { ...process.env, PATH: `${bin}:${process.env['PATH']}`, OPENAI_API_KEY: 'sk-local', MY_KEY: 'sk-local', GITHUB_STEP_SUMMARY: '' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

test('the README shows the commands this test knows about', () => {
  const commands = readmeCommands(README);
  assert.ok(commands.length > 25, commands.join('\n'));
  assert.ok(commands.includes('emobench eval --suite emotion --gate "emotion.macro_f1>=0.45" --junit gates.xml'), 'the GitHub Actions example is found');
  for (const w of Object.keys(WAIVED)) assert.ok(commands.includes(w), `waived command no longer in the README: ${w}`);
});

test('every command the README shows runs and exits as documented (on tiny models and small grids)', { timeout: 1_800_000 }, async () => {
  const cwd = tempDir('emobench-readme-');
  const bin = join(cwd, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'emobench'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin', 'emobench.js')}" "$@"\n`);
  chmodSync(join(bin, 'emobench'), 0o755);
  // The README's own data file for "Your own data".
  mkdirSync(join(cwd, 'ci-results'));
  writeFileSync(join(cwd, 'my-tickets.csv'), 'id,text,label\nt1,I love this!,joy\nt2,This is outrageous,anger\nt3,I miss you,sadness\nt4,The bus is at noon,neutral\n');
  // Local endpoints named as the registry's model ids; `serve --model scratch` is the README's own recipe.
  const names: Record<string, string> = { 'gpt-4o-mini': 'gpt-4o-mini', 'llama3-vllm': 'meta-llama/Meta-Llama-3-8B-Instruct', 'my-model': 'my-model' };
  const urls: Record<string, string> = {};
  for (const [key, id] of Object.entries(names)) {
    const s = await startServe(['--model', 'scratch@tiny', '--name', id]);
    servers.push(s);
    urls[key] = s.url;
  }
  const failures: string[] = [];
  const placeholders = () => {
    // The README's placeholder run names: the first emotion run stands for each.
    const runs = readdirSync(join(cwd, 'results')).filter((d) => d.startsWith('emotion-'));
    for (const name of ['emotion-20261123-101500', 'main', 'pr-123']) cpSync(join(cwd, 'results', runs[0]!), join(cwd, 'results', name), { recursive: true });
  };
  let placed = false;
  for (const command of readmeCommands(README)) {
    if (command in WAIVED) continue;
    if (!placed && /results\/(main|pr-123|emotion-2026)/.test(command)) {
      placeholders();
      placed = true;
    }
    if (command.startsWith('emobench serve')) {
      // The recipe's server: started, and its URL becomes emobench-serve's.
      const s = await startServe(command.replace(/ --port 8000.*$/, '').split(' ').slice(2));
      servers.push(s);
      urls['emobench-serve'] = s.url;
      continue;
    }
    let line = command;
    for (const [re, to] of substitutions(urls)) line = line.replace(re, to as string);
    if (command.startsWith('emobench view')) line = `timeout 20 ${line.replace(/--port \d+|$/, ' --port 0')}; test $? -eq 124`;
    const r = await sh(line, cwd, bin);
    if (r.code !== 0) failures.push(`${command}\n  ran: ${line}\n  exit ${r.code}: ${r.out.slice(-1500)}`);
  }
  assert.deepEqual(failures, [], failures.join('\n\n'));
});
