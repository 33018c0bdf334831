/**
 * Every command README.md shows, run for real (project rule: "Every command the README shows is run by
 * a test; a recipe that fails for a reader is a bug").
 *
 * What counts as a README command (extractCommands): each line of a ```sh block (with `\` continuations
 * joined and `# comments` dropped); each `run:` step of a ```yaml block and the `sh -c` string of its
 * Kubernetes `command:`; and each inline code span in prose that is a full command line (`emobench` or
 * `npx emobench` with arguments, `sbatch …`) — a bare `emobench view` in prose names a command, it is not
 * one.
 *
 * Every such command must have an entry in RECIPES, keyed by its exact text: run as-is, run adapted
 * (with the reason), or excluded (with the reason). A README command without an entry fails the first
 * test, and so does an entry that matches no README command, so the table can neither lag behind the
 * README nor rot. One rule applies to every command without an entry saying so: `npx emobench` runs the
 * compiled CLI of this checkout (a shim named `emobench` on PATH that runs `node <repo>/bin/emobench.js`;
 * `npm test` builds it first).
 *
 * The commands run in README order (a recipe's later commands use what its earlier ones made) through
 * `sh -c` in one scratch working directory with its own results/ — never the repository's results/ or
 * reports/ — with the API-key variables cleared so nothing reaches a real endpoint. Servers the README
 * starts (`emobench serve`, `vllm serve`, `emobench view`) run in the background on a free loopback port
 * until the commands that use them are done, and must then stop cleanly on SIGTERM.
 *
 * Run alone with: node --import tsx --test tests/readme.test.ts   (build first: npm run build)
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { webgpuUnavailable } from '../src/gpu/device.js';
import { ROOT, tempDir } from './helpers/cli.js';

// ───────────────────────── extraction ─────────────────────────

export interface ReadmeCommand {
  cmd: string;
  line: number;
  where: 'sh' | 'yaml' | 'inline';
}

/** Drops a `# comment` that starts outside quotes; `#` inside a word (`a#b`) is not a comment. */
function stripComment(s: string): string {
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]!))) return s.slice(0, i);
  }
  return s;
}

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

export function extractCommands(md: string): ReadmeCommand[] {
  const out: ReadmeCommand[] = [];
  const lines = md.split('\n');
  let fence: string | null = null;
  let pending: { text: string; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const open = /^```(\w*)\s*$/.exec(raw);
    if (open && fence === null) {
      fence = open[1]!;
      continue;
    }
    if (/^```\s*$/.test(raw) && fence !== null) {
      fence = null;
      continue;
    }
    if (fence === 'sh' || fence === 'bash') {
      const text: string = pending ? `${pending.text} ${raw.trim()}` : raw;
      const line: number = pending?.line ?? i + 1;
      if (/\\\s*$/.test(text)) {
        pending = { text: text.replace(/\\\s*$/, ''), line };
        continue;
      }
      pending = null;
      const cmd = norm(stripComment(text));
      if (cmd) out.push({ cmd, line, where: 'sh' });
    } else if (fence === 'yaml') {
      const run = /^\s*(?:-\s*)?run:\s*(.+)$/.exec(raw);
      if (run) out.push({ cmd: norm(run[1]!), line: i + 1, where: 'yaml' });
      const k8s = /command:\s*\["sh",\s*"-c",\s*"(.*)"\]/.exec(raw);
      if (k8s) out.push({ cmd: norm(k8s[1]!), line: i + 1, where: 'yaml' });
    } else if (fence === null) {
      for (const m of raw.matchAll(/`((?:npx )?emobench [^`]+|sbatch [^`]+)`/g)) {
        const words = m[1]!.replace(/^npx /, '').split(/\s+/).slice(1);
        const fullCommand = m[1]!.startsWith('sbatch') || words.length > 1 || words[0]!.startsWith('-');
        if (fullCommand) out.push({ cmd: norm(m[1]!), line: i + 1, where: 'inline' });
      }
    }
  }
  return out;
}

// ───────────────────────── the scratch project ─────────────────────────

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface Background {
  proc: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

/** The scratch working directory the commands share, and what they left behind. */
class Scratch {
  readonly dir = tempDir('emobench-readme-');
  readonly shimDir = tempDir('emobench-readme-bin-');
  readonly env: NodeJS.ProcessEnv;
  /** Run directories under results/ each README command created, by command. */
  readonly made = new Map<string, string[]>();
  readonly servers = new Map<string, Background & { port: number }>();

  constructor() {
    const shim = join(this.shimDir, 'emobench');
    writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin', 'emobench.js')}" "$@"\n`);
    chmodSync(shim, 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${this.shimDir}:${process.env['PATH'] ?? ''}` };
    // Nothing may reach a real endpoint or a CI summary, whatever the developer's shell holds.
    for (const k of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'EMOBENCH_API_KEY', 'VLLM_API_KEY', 'MY_KEY', 'GITHUB_STEP_SUMMARY']) delete env[k];
    this.env = env;
  }

  path(...p: string[]): string {
    return join(this.dir, ...p);
  }

  runDirs(): string[] {
    return existsSync(this.path('results')) ? readdirSync(this.path('results')).sort() : [];
  }

  /** The one run directory `readme` made (as results/<name>), for commands that name an earlier run. */
  runOf(readme: string, prefix = ''): string {
    const dirs = (this.made.get(readme) ?? []).filter((d) => d.startsWith(prefix));
    assert.equal(dirs.length, 1, `expected one results/${prefix}* run from: ${readme} (made: ${dirs.join(', ') || 'none'})`);
    return `results/${dirs[0]}`;
  }

  port(server: string): number {
    const s = this.servers.get(server);
    assert.ok(s, `server ${server} is not running`);
    return s.port;
  }

  sh(line: string, env: NodeJS.ProcessEnv = {}, cwd = this.dir, timeoutMs = 600_000): Promise<Result> {
    const t0 = Date.now();
    return new Promise((resolve) => {
      // Its own process group, so a timeout kills the CLI under the shell too, not just the shell.
      const child = spawn('sh', ['-c', line], { cwd, env: { ...this.env, ...env }, detached: true });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, ms: Date.now() - t0 });
      });
    });
  }

  /** Starts a long-running command (`exec`, so SIGTERM reaches it) and waits for `ready` in its output. */
  async background(name: string, line: string, ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<number> {
    const proc = spawn('sh', ['-c', `exec ${line}`], { cwd: this.dir, env: { ...this.env, ...env }, detached: true });
    let log = '';
    proc.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${line}: not ready after 120 s:\n${log}`)), 120_000);
      const check = () => {
        const m = ready.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      proc.stdout!.on('data', check);
      proc.stderr!.on('data', check);
      void exited.then((c) => reject(new Error(`${line}: exited ${c} before it was ready:\n${log}`)));
    });
    this.servers.set(name, { proc, log: () => log, exited, port });
    return port;
  }

  /** SIGTERM, as the README says (serve finishes requests in flight and exits): must exit 0. */
  async stop(name: string): Promise<void> {
    const s = this.servers.get(name);
    assert.ok(s, `server ${name} is not running`);
    this.servers.delete(name);
    s.proc.kill('SIGTERM');
    const code = await s.exited;
    assert.equal(code, 0, `${name} exited ${code} on SIGTERM:\n${s.log()}`);
  }

  killAll(): void {
    for (const s of this.servers.values()) if (s.proc.exitCode === null) process.kill(-s.proc.pid!, 'SIGKILL');
    this.servers.clear();
  }
}

/** An OpenAI-compatible endpoint that is not a README command: the real `emobench serve` under another model id. */
async function endpoint(s: Scratch, id: string, apiKey?: string): Promise<string> {
  const name = `endpoint:${id}`;
  if (!s.servers.has(name)) {
    const key = apiKey ? ` --api-key ${apiKey}` : '';
    await s.background(name, `emobench serve --model scratch --name '${id}' --port 0${key}`, /on http:\/\/127\.0\.0\.1:(\d+)\/v1/);
  }
  return `http://127.0.0.1:${s.port(name)}/v1`;
}

/** GoEmotions' TSV (text, label ids, comment id): a few rows of each of the five classes. */
function goEmotionsTsv(): string {
  const rows: [string, string][] = [
    ['This is the best day ever, thank you all', '17'],
    ['I am so grateful for this community', '15'],
    ['This is absolutely infuriating, fix it now', '2'],
    ['Stop doing this, it is so annoying', '3'],
    ['I miss her every single day', '25'],
    ['That was such a letdown, I expected more', '9'],
    ['Wait, what? I did not see that coming', '26'],
    ['Oh, I just realised it was you all along', '22'],
    ['The meeting is at three on Tuesday', '27'],
    ['The package arrived this morning', '27'],
  ];
  return rows.map(([text, ids], i) => `${text}\t${ids}\tc${i}\n`).join('');
}

/** A CSV with the columns the README's "Your own data" section lists. */
function ticketsCsv(): string {
  const rows = [
    ['t1', 'Thank you, the fix works perfectly!', 'joy', 'en'],
    ['t2', 'Third time I report this and nobody answers.', 'anger', 'en'],
    ['t3', 'I lost all my photos when the app crashed.', 'sadness', 'en'],
    ['t4', 'Wait, the refund already arrived? That was fast.', 'surprise', 'en'],
    ['t5', 'Please change the e-mail address on my account.', 'neutral', 'en'],
    ['t6', '対応ありがとうございます、助かりました！', 'joy', 'ja'],
    ['t7', '何度問い合わせても返事がないのはおかしい。', 'anger', 'ja'],
    ['t8', '大事なデータが消えてしまって悲しいです。', 'sadness', 'ja'],
    ['t9', 'えっ、もう届いたの？びっくりしました。', 'surprise', 'ja'],
    ['t10', '請求書の送付先を変更したいです。', 'neutral', 'ja'],
  ];
  const field = (f: string) => (/[",\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f);
  return `id,text,label,lang\n${rows.map((r) => r.map(field).join(',')).join('\n')}\n`;
}

// ───────────────────────── the table ─────────────────────────

interface Recipe {
  /** The README command, exactly as extractCommands gives it. */
  readme: string;
  /** Why the command is adapted or excluded; absent = run as-is. */
  why?: string;
  /** Excluded: not run at all (`why` says why). */
  exclude?: true;
  /** The shell line(s) run instead of the README command (default: the README command itself). */
  run?: (s: Scratch) => Promise<string[]> | string[];
  /** Files the command reads that the test writes first (the README assumes the reader has them). */
  setup?: (s: Scratch) => Promise<void> | void;
  env?: (s: Scratch) => NodeJS.ProcessEnv;
  /** Run in the repository itself (read-only commands that take repository paths). */
  inRepo?: true;
  /** A server left running for later commands, under this name; `ready` captures its port. */
  background?: { name: string; ready: RegExp };
  /** The exit code the README implies (default 0). */
  expect?: number;
  check?: (r: Result, s: Scratch) => Promise<void> | void;
}

const FAKE_KEY = 'sk-readme-test-not-a-real-key';
/** The engine=webgpu commands need an adapter: without one (and without CI's EMOBENCH_REQUIRE_WEBGPU=1) they are not run, as tests/gpu skip. */
const GPU_MISSING = await webgpuUnavailable();
const onGpu = (line: string): string[] => (GPU_MISSING !== undefined && process.env['EMOBENCH_REQUIRE_WEBGPU'] !== '1' ? [] : [line]);
const QUICK = 'npm install && npx emobench eval --suite emotion';
const CI_GATE = 'npx emobench eval --suite emotion --gate "emotion.macro_f1>=0.55" --junit gates.xml';
const NB_GATE = 'npx emobench eval --suite emotion --model nb --gate "emotion.accuracy>=0.55" --gate "emotion.f1.anger>=0.45" --junit gates.xml';
const SHARD_LIMIT = '--limit 40';
/**
 * Evals of served models: 10 rows, answers cut at 4 tokens. A served scratch model that generates
 * writes until its context is full (~160 tokens a row, a minute a row on a busy 2-core machine); the
 * label, when there is one, comes first.
 */
const SERVED = '--limit 10 --max-tokens 4';
/** Prompt/batch/repeat settings that make a throughput run a few seconds on scratch@tiny (64-token context). */
const TP_SMALL = '--prompt-tokens 16 --batch 1 --levels 1 --repeats 2 --output-tokens 8';

function readmeTable(md: string): string[] {
  const at = md.indexOf('```\nemotion · ');
  assert.ok(at >= 0, 'README: the quick start leaderboard block is missing');
  const block = md.slice(at + 4, md.indexOf('```', at + 4));
  return block.split('\n').filter((l) => l.trim() !== '');
}

const withGoodExit = (r: Result, what: string) => `${what}\nexit ${r.code}\nstdout:\n${r.stdout.slice(-3000)}\nstderr:\n${r.stderr.slice(-3000)}`;

/** In README order; each entry runs after the ones above it. */
const RECIPES: Recipe[] = [
  // ── Quick start
  {
    readme: QUICK,
    why: 'npm install is what put this checkout in place (the shared node_modules); the eval runs as-is',
    run: () => ['npx emobench eval --suite emotion'],
    check: (r) => {
      for (const l of readmeTable(readFileSync(join(ROOT, 'README.md'), 'utf8'))) assert.ok(r.stdout.includes(l), `README's quick-start table line is not what the command prints: ${l}\n${r.stdout}`);
    },
  },
  { readme: 'npm test', exclude: true, why: 'this test is part of npm test' },
  { readme: 'npx emobench list', check: (r) => assert.match(r.stdout, /emotion/) },
  {
    readme: 'npx emobench init',
    check: (_r, s) => {
      assert.ok(existsSync(s.path('my-suite.yaml')));
      assert.ok(existsSync(s.path('.github/workflows/emobench.yml')));
    },
  },
  { readme: 'npx emobench validate --suite my-suite.yaml', why: 'validates the suite `init` just wrote (its sample data is clean)' },
  // ── Usage
  {
    readme: 'emobench eval --suite <name|path.yaml> [--model <spec>]... [options]',
    why: 'a synopsis, not a runnable line: its --help is run and must show the same options',
    run: () => ['emobench eval --help'],
    check: (r) => assert.match(r.stdout, /--suite[\s\S]*--model/),
  },
  { readme: 'emobench validate --suite S [--dataset D]', why: 'S and D → the shipped emotion suite and its own dataset', run: () => ['emobench validate --suite emotion --dataset csv:' + join(ROOT, 'datasets', 'emotion', 'emotion.csv')] },
  { readme: 'emobench init [dir] [--name N]', why: 'dir and N → a new folder and a name', run: () => ['emobench init tickets-project --name tickets'], check: (_r, s) => assert.ok(existsSync(s.path('tickets-project/tickets.yaml'))) },
  { readme: 'emobench train --kind tfidf\\|nb', exclude: true, why: 'a table cell naming the two kinds (the pipe escaped for markdown); `train --kind tfidf` is run below' },
  { readme: 'emobench --version', check: (r) => assert.equal(r.stdout.trim(), (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version) },
  // ── Scratch model export
  {
    readme: 'emobench export-onnx --model scratch --out scratch.onnx',
    check: (_r, s) => {
      assert.ok(existsSync(s.path('scratch.onnx')));
      assert.ok(existsSync(s.path('tokenizer.json')));
    },
  },
  // ── engine=webgpu
  { readme: 'sudo bash scripts/install-lavapipe.sh', exclude: true, why: 'installs system packages as root: .ci/run runs it before the tests, and the two commands below need what it installs' },
  {
    readme: 'npx emobench eval --suite emotion --model "scratch?engine=webgpu"',
    why: '--limit 12 on lavapipe (software Vulkan); not run without an adapter',
    run: () => onGpu('npx emobench eval --suite emotion --model "scratch?engine=webgpu" --limit 12'),
  },
  {
    readme: 'npx emobench profile --model "scratch@paper?engine=webgpu" --kv fp32,int8 --seq 128,1024',
    why: 'scratch@tiny and short lengths on lavapipe (the paper config at 1,024 tokens takes minutes there); not run without an adapter',
    run: () => onGpu('npx emobench profile --model "scratch@tiny?engine=webgpu" --kv fp32,int8 --seq 16,32'),
  },
  // ── API models and local servers
  {
    readme: 'export OPENAI_API_KEY=…',
    why: 'the key is a placeholder: a fake one, exported to the commands after it as the shell would (none reaches OpenAI)',
    run: () => [`export OPENAI_API_KEY=${FAKE_KEY}`],
  },
  {
    readme: 'npx emobench eval --suite emotion --model scratch --model openai:gpt-4o-mini --dry-run',
    check: (r) => assert.match(r.stdout + r.stderr, /gpt-4o-mini/),
  },
  {
    readme: 'npx emobench eval --suite emotion --model scratch --model openai:gpt-4o-mini --max-cost 0.50',
    why: 'no OpenAI here: the registry entry gpt-4o-mini (its prices, so --max-cost counts) pointed at a local emobench serve answering as gpt-4o-mini; ' + SERVED,
    run: async (s) => [`npx emobench eval --suite emotion --model scratch --model openai:gpt-4o-mini --max-cost 0.50 --base-url ${await endpoint(s, 'gpt-4o-mini')} ${SERVED}`],
    check: (r) => assert.match(r.stdout, /openai:gpt-4o-mini/),
  },
  {
    readme: 'vllm serve meta-llama/Meta-Llama-3-8B-Instruct --port 8000',
    why: 'no vLLM or GPU here: emobench serve answers under the same model id on a free loopback port (8000 may be taken)',
    run: () => ["emobench serve --model scratch --name meta-llama/Meta-Llama-3-8B-Instruct --port 0"],
    background: { name: 'vllm', ready: /on http:\/\/127\.0\.0\.1:(\d+)\/v1/ },
  },
  {
    readme: 'npx emobench eval --suite emotion --model scratch --model openai:llama3-vllm',
    why: "the stand-in vLLM listens on a free port, not the registry's 8000; " + SERVED,
    run: (s) => [`npx emobench eval --suite emotion --model scratch --model openai:llama3-vllm --base-url http://127.0.0.1:${s.port('vllm')}/v1 ${SERVED}`],
    check: async (r, s) => {
      assert.match(r.stdout, /openai:llama3-vllm/);
      await s.stop('vllm');
    },
  },
  {
    readme: 'npx emobench eval --suite emotion --model openai:my-model --base-url http://10.0.0.5:8080/v1 --api-key-env MY_KEY',
    why: 'the example address is not reachable: emobench serve answers as my-model on loopback and requires the key that MY_KEY holds; ' + SERVED,
    env: () => ({ MY_KEY: 'my-key-123' }),
    run: async (s) => [`npx emobench eval --suite emotion --model openai:my-model --base-url ${await endpoint(s, 'my-model', 'my-key-123')} --api-key-env MY_KEY ${SERVED}`],
    check: (r) => assert.match(r.stdout, /openai:my-model/),
  },
  // ── Serving a local model
  {
    readme: 'npx emobench serve --model scratch --port 8000',
    why: 'a free loopback port instead of 8000 (may be taken on a shared machine); the commands below use it',
    run: () => ['npx emobench serve --model scratch --port 0'],
    background: { name: 'serve', ready: /on http:\/\/127\.0\.0\.1:(\d+)\/v1/ },
  },
  {
    readme: 'npx emobench eval --suite emotion --model openai:emobench-serve',
    why: "the server above is on a free port, not the registry's 8000; " + SERVED,
    run: (s) => [`npx emobench eval --suite emotion --model openai:emobench-serve --base-url http://127.0.0.1:${s.port('serve')}/v1 ${SERVED}`],
    check: (r) => assert.match(r.stdout, /openai:emobench-serve/),
  },
  {
    readme: `curl -s localhost:8000/v1/chat/completions -H 'content-type: application/json' -d '{"model":"scratch","messages":[{"role":"user","content":"I love it"}],"max_tokens":8,"stream":true}'`,
    why: 'the server above is on a free port, not 8000',
    run: (s) => [`curl -s localhost:${s.port('serve')}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"scratch","messages":[{"role":"user","content":"I love it"}],"max_tokens":8,"stream":true}'`],
    check: (r) => {
      assert.match(r.stdout, /^data: \{/m);
      assert.match(r.stdout, /^data: \[DONE\]/m);
    },
  },
  // ── The project's data
  { readme: 'node --import tsx scripts/check-emotion-data.ts', why: 'takes repository paths and only reads: runs in the repository', inRepo: true },
  // ── Your own data
  {
    readme: 'npx emobench eval --suite emotion --dataset csv:./my-tickets.csv --model nb',
    setup: (s) => writeFileSync(s.path('my-tickets.csv'), ticketsCsv()),
    check: (r) => assert.match(r.stdout, /nb\s+10\s/),
  },
  // ── Training
  {
    readme: "npx emobench train --config small --data 'emotion*20' --data goemotions:path/to/goemotions/train.tsv --lm-weight 0 --eval-every 250 --out runs/small",
    why: 'the tiny config and 6 steps (a checkpoint at 3) instead of a full small run; the GoEmotions file is a few rows in its format the test writes at that path',
    setup: (s) => {
      mkdirSync(s.path('path/to/goemotions'), { recursive: true });
      writeFileSync(s.path('path/to/goemotions/train.tsv'), goEmotionsTsv());
    },
    run: () => ["npx emobench train --config tiny --data 'emotion*20' --data goemotions:path/to/goemotions/train.tsv --lm-weight 0 --eval-every 250 --out runs/small --steps 6 --checkpoint-every 3 --batch-size 8 --quiet"],
    check: (_r, s) => {
      assert.ok(existsSync(s.path('runs/small/best')), 'runs/small/best (the README: "then: --model scratch:runs/small/best")');
      assert.ok(existsSync(s.path('runs/small/train.jsonl')));
    },
  },
  { readme: 'npx emobench train --resume runs/small' },
  {
    readme: "npx emobench train --kind tfidf --data 'emotion*20' --data goemotions:path/to/goemotions/train.tsv --out models/tfidf-small",
    check: (_r, s) => assert.ok(existsSync(s.path('models/tfidf-small/tfidf.json.gz'))),
  },
  {
    readme: 'npx emobench eval --suite emotion --model scratch:runs/small/best --model tfidf:models/tfidf-small --model nb',
    why: '--limit 60: the tiny model trained above is slow to no purpose on all 600 test rows',
    run: () => ['npx emobench eval --suite emotion --model scratch:runs/small/best --model tfidf:models/tfidf-small --model nb --limit 60'],
    check: (r) => assert.match(r.stdout, /tfidf:models\/tfidf-small/),
  },
  // ── Throughput
  {
    readme: 'npx emobench eval --suite throughput --model scratch@paper',
    why: 'scratch@tiny and one short setting instead of the 23-minute default grid on the 93M-parameter config',
    run: () => [`npx emobench eval --suite throughput --model scratch@tiny ${TP_SMALL}`],
  },
  {
    readme: 'npx emobench eval --suite throughput --model scratch --model openai:emobench-serve --levels 1,4,16,64 --slo-ttft-ms 500',
    why: "the server above is on a free port; one concurrency level and one short setting instead of the full grid",
    run: (s) => [`npx emobench eval --suite throughput --model scratch --model openai:emobench-serve --base-url http://127.0.0.1:${s.port('serve')}/v1 --slo-ttft-ms 500 ${TP_SMALL}`],
    check: async (_r, s) => s.stop('serve'),
  },
  {
    readme: 'npx emobench eval --suite throughput --model scratch@paper --gate "throughput.decode_tps>=30"',
    why: 'scratch@tiny and one short setting instead of the 93M-parameter config; 30 tok/s is a figure for that config on an idle machine, so the gate is checked at 1 tok/s, which any machine meets',
    run: () => [`npx emobench eval --suite throughput --model scratch@tiny ${TP_SMALL} --gate "throughput.decode_tps>=1"`],
    check: (r) => assert.match(r.stdout + r.stderr, /decode_tps>=1/),
  },
  // ── Memory profile
  {
    readme: 'npx emobench profile --model scratch@paper --kv fp32,fp16,int8 --seq 128,512,1024',
    why: 'scratch@tiny (64-token context) and short sequences instead of the 93M-parameter config',
    run: () => ['npx emobench profile --model scratch@tiny --kv fp32,fp16,int8 --seq 16,32'],
  },
  {
    readme: 'npx emobench profile --model scratch@paper --kv-heads 12,4,1 --window none,256 --batch 1,4 --report vram.html',
    why: "scratch@tiny: its 4 query heads take 4, 2 or 1 KV heads, and a 16-token window fits its context",
    run: () => ['npx emobench profile --model scratch@tiny --kv-heads 4,2,1 --window none,16 --batch 1,4 --seq 16 --report vram.html'],
    check: (_r, s) => assert.ok(existsSync(s.path('vram.html'))),
  },
  {
    readme: 'npx emobench profile --model scratch --json > profile.json',
    why: 'one short length, two KV types and 4 accuracy rows instead of three long lengths × three types × 200 rows',
    run: () => ['npx emobench profile --model scratch --json --seq 32 --kv fp32,int8 --limit 4 > profile.json'],
    check: (_r, s) => assert.equal((JSON.parse(readFileSync(s.path('profile.json'), 'utf8')) as { complete: boolean }).complete, true),
  },
  {
    readme: 'npx emobench profile --model scratch --seq 64,128,256',
    why: "the README lengths (the shipped model's whole context), one KV type and 4 accuracy rows instead of three × 200",
    run: () => ['npx emobench profile --model scratch --seq 64,128,256 --kv fp32 --limit 4'],
  },
  // ── Attention
  { readme: 'npx emobench attention --model scratch', why: '30 test texts instead of the default 300', run: () => ['npx emobench attention --model scratch --limit 30'] },
  { readme: 'npx emobench attention --text "I am so happy today" --text "This is ridiculous"' },
  // ── Gating (before Reports: it makes the run the report and gate placeholders stand for)
  {
    readme: NB_GATE,
    check: (_r, s) => assert.match(readFileSync(s.path('gates.xml'), 'utf8'), /<testsuite/),
  },
  {
    readme: CI_GATE,
    check: (_r, s) => assert.doesNotMatch(readFileSync(s.path('gates.xml'), 'utf8'), /<failure/),
  },
  // ── Reports
  { readme: 'npx emobench report results/emotion-* --out reports/index.html', check: (_r, s) => assert.ok(existsSync(s.path('reports/index.html'))) },
  {
    readme: 'npx emobench report results/emotion-20261123-101500 --format md',
    why: "the README's example run folder → the quick start's run",
    run: (s) => [`npx emobench report ${s.runOf(QUICK, 'emotion-')} --format md`],
    check: (r) => assert.match(r.stdout, /\|\s*scratch\s*\|/),
  },
  {
    readme: 'npx emobench report results/emotion-* results/throughput-* results/profile-* results/attention-*',
    check: (_r, s) => {
      const html = readFileSync(s.path('reports/index.html'), 'utf8');
      for (const section of ['scratch@tiny', 'openai:emobench-serve']) assert.ok(html.includes(section), `combined report lacks ${section}`);
    },
  },
  {
    readme: 'emobench rescore <run-dir>',
    why: '<run-dir> → the quick start run',
    run: (s) => [`emobench rescore ${s.runOf(QUICK, 'emotion-')}`],
  },
  // ── Runs the later recipes name (results/main, results/pr-123) are made here, before those recipes
  {
    readme: 'npx emobench gate results/emotion-20261123-101500 --baseline results/main --max-drop 0.02',
    why: "the README's example run → the nb gate run above; results/main → a 40-row nb + majority run the test makes first (and results/pr-123 beside it, for compare and publish)",
    setup: async (s) => {
      for (const [dir, seed] of [['results/main', 0], ['results/pr-123', 0]] as const) {
        const r = await s.sh(`emobench eval --suite emotion --model nb --model majority --limit 40 --seed ${seed} --out ${dir} --quiet`);
        assert.equal(r.code, 0, withGoodExit(r, `setup of ${dir}`));
      }
    },
    run: (s) => [`npx emobench gate ${s.runOf(NB_GATE, 'emotion-')} --baseline results/main --max-drop 0.02`],
  },
  {
    readme: 'npx emobench compare results/main results/pr-123 >> pr-comment.md',
    check: (_r, s) => assert.match(readFileSync(s.path('pr-comment.md'), 'utf8'), /\|/),
  },
  { readme: 'emobench compare A B', why: 'A and B → the two runs above', run: () => ['emobench compare results/main results/pr-123'] },
  // ── Browse and publish
  {
    readme: 'npx emobench view',
    why: 'a free port instead of 8080 (may be taken); the test fetches the page, then stops it with SIGTERM',
    run: () => ['npx emobench view --port 0'],
    background: { name: 'view', ready: /http:\/\/127\.0\.0\.1:(\d+)/ },
    check: async (_r, s) => {
      const res = await fetch(`http://127.0.0.1:${s.port('view')}/`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /emotion/);
      await s.stop('view');
    },
  },
  {
    readme: 'npx emobench view results ci-results --port 0',
    setup: async (s) => {
      const r = await s.sh('emobench eval --suite emotion --model majority --limit 20 --out ci-results/majority --quiet');
      assert.equal(r.code, 0, withGoodExit(r, 'setup of ci-results'));
    },
    background: { name: 'view2', ready: /http:\/\/127\.0\.0\.1:(\d+)/ },
    check: async (_r, s) => {
      const res = await fetch(`http://127.0.0.1:${s.port('view2')}/`);
      assert.equal(res.status, 200);
      await s.stop('view2');
    },
  },
  {
    readme: 'npx emobench publish results --out site --compare results/main,results/pr-123',
    check: (_r, s) => {
      assert.ok(existsSync(s.path('site/index.html')));
      assert.ok(existsSync(s.path('site/leaderboard.json')));
    },
  },
  // GitHub Pages workflow (npm ci: see below)
  { readme: 'npx emobench eval --suite emotion', why: 'same as the quick start, run once there', run: () => [] },
  { readme: 'npx emobench publish results --out site', check: (_r, s) => assert.ok(existsSync(s.path('site/leaderboard.md'))) },
  { readme: 'npm ci', exclude: true, why: 'installing is what put this checkout in place; every workflow step after it runs here' },
  // ── Long runs
  {
    readme: 'emobench eval --resume <run-dir>',
    why: '<run-dir> → the my-tickets.csv run above with its last 4 samples cut off, as a crash leaves it',
    run: (s) => {
      const dir = s.runOf('npx emobench eval --suite emotion --dataset csv:./my-tickets.csv --model nb', 'emotion-');
      const samples = s.path(dir, 'samples.jsonl');
      const lines = readFileSync(samples, 'utf8').trimEnd().split('\n');
      writeFileSync(samples, `${lines.slice(0, -4).join('\n')}\n`);
      return [`emobench eval --resume ${dir}`];
    },
    check: (_r, s) => {
      const dir = s.runOf('npx emobench eval --suite emotion --dataset csv:./my-tickets.csv --model nb', 'emotion-');
      assert.equal(readFileSync(s.path(dir, 'samples.jsonl'), 'utf8').trimEnd().split('\n').length, 10);
    },
  },
  {
    readme: 'npx emobench eval --suite emotion --shard ${{ matrix.shard }}/4 --out shards/${{ matrix.shard }}',
    why: `the matrix expanded to its four shards, each ${SHARD_LIMIT}`,
    run: () => [0, 1, 2, 3].map((i) => `npx emobench eval --suite emotion --shard ${i}/4 --out shards/${i} ${SHARD_LIMIT}`),
  },
  {
    readme: 'npx emobench merge shards/0 shards/1 shards/2 shards/3 --out results/merged',
    // Every default model of the emotion suite, as one unsharded run has them.
    check: (_r, s) => assert.equal((JSON.parse(readFileSync(s.path('results/merged/summary.json'), 'utf8')) as { models: unknown[] }).models.length, (parseYaml(readFileSync(join(ROOT, 'suites', 'emotion.yaml'), 'utf8')) as { default_models: string[] }).default_models.length),
  },
  { readme: 'emobench merge <shard-dirs>… --out <dir>', why: 'the placeholders → the four shards above', run: () => ['emobench merge shards/0 shards/1 shards/2 shards/3 --out merged-again'] },
  {
    readme: 'npx emobench eval --suite emotion --shard $JOB_COMPLETION_INDEX/4 --out /results/shard-$JOB_COMPLETION_INDEX',
    why: `pod 0 of the Indexed Job (JOB_COMPLETION_INDEX=0), its volume /results → k8s-results/, ${SHARD_LIMIT}`,
    env: () => ({ JOB_COMPLETION_INDEX: '0' }),
    run: () => [`npx emobench eval --suite emotion --shard $JOB_COMPLETION_INDEX/4 --out k8s-results/shard-$JOB_COMPLETION_INDEX ${SHARD_LIMIT}`],
    check: (_r, s) => assert.ok(existsSync(s.path('k8s-results/shard-0/summary.json'))),
  },
  {
    readme: "sbatch --array=0-3 --wrap 'npx emobench eval --suite emotion --shard $SLURM_ARRAY_TASK_ID/4 --out shards/$SLURM_ARRAY_TASK_ID'",
    why: `no Slurm here: the wrapped command as array task 0 (into slurm-shards/, the matrix's shards/ are kept), ${SHARD_LIMIT}`,
    env: () => ({ SLURM_ARRAY_TASK_ID: '0' }),
    run: () => [`npx emobench eval --suite emotion --shard $SLURM_ARRAY_TASK_ID/4 --out slurm-shards/$SLURM_ARRAY_TASK_ID ${SHARD_LIMIT}`],
    check: (_r, s) => assert.ok(existsSync(s.path('slurm-shards/0/summary.json'))),
  },
];

// ───────────────────────── the tests ─────────────────────────

const README_TEXT = readFileSync(join(ROOT, 'README.md'), 'utf8');

test('every README command has a table entry, and every entry a README command', () => {
  const commands = extractCommands(README_TEXT);
  assert.ok(commands.length >= 30, `only ${commands.length} commands found: is the extraction broken?`);
  const known = new Set(RECIPES.map((r) => r.readme));
  const missing = commands.filter((c) => !known.has(c.cmd)).map((c) => `README.md:${c.line} (${c.where}): ${c.cmd}`);
  assert.deepEqual(missing, [], 'README commands with no entry in tests/readme.test.ts RECIPES (add one: as-is, adapted or excluded, with why)');
  const inReadme = new Set(commands.map((c) => c.cmd));
  const stale = RECIPES.filter((r) => !inReadme.has(r.readme)).map((r) => r.readme);
  assert.deepEqual(stale, [], 'RECIPES entries that match no README command (the README changed: update or delete them)');
  const seen = new Set<string>();
  for (const r of RECIPES) {
    assert.ok(!seen.has(r.readme), `two entries for: ${r.readme}`);
    seen.add(r.readme);
    if (r.run || r.exclude) assert.ok(r.why, `adapted or excluded without a reason: ${r.readme}`);
  }
});

test('the extraction: continuations, comments, yaml run steps, inline commands', () => {
  const md = [
    '```sh',
    'npx emobench a --x 1 \\',
    '  --y "2 # not a comment"     # a comment',
    '# a whole-line comment',
    '```',
    '```yaml',
    '      - run: npx emobench b',
    '          command: ["sh", "-c", "npx emobench c --out /r"]',
    '```',
    'prose `emobench view` names a command; `emobench merge <dirs> --out <dir>` is one; `emobench --version` too.',
  ].join('\n');
  assert.deepEqual(
    extractCommands(md).map((c) => [c.cmd, c.line, c.where]),
    [
      ['npx emobench a --x 1 --y "2 # not a comment"', 2, 'sh'],
      ['npx emobench b', 7, 'yaml'],
      ['npx emobench c --out /r', 8, 'yaml'],
      ['emobench merge <dirs> --out <dir>', 10, 'inline'],
      ['emobench --version', 10, 'inline'],
    ],
  );
});

test('every README command runs and exits as the README says', { timeout: 2_400_000 }, async (t) => {
  const s = new Scratch();
  const listing = (dir: string) => (existsSync(join(ROOT, dir)) ? readdirSync(join(ROOT, dir)).sort() : []);
  const repoOutputs = [...listing('results'), '|', ...listing('reports')];
  const timings: string[] = [];
  // `failed` is cleared at the end of each command's subtest, so it stays set when one threw.
  let failed = false;
  let anyFailed = false;
  try {
    for (const recipe of RECIPES) {
      if (recipe.exclude) continue;
      await t.test(recipe.readme, async () => {
        failed = true;
        await recipe.setup?.(s);
        const lines = recipe.run ? await recipe.run(s) : [recipe.readme];
        const env = recipe.env?.(s) ?? {};
        const before = new Set(s.runDirs());
        if (recipe.background) {
          assert.equal(lines.length, 1);
          const line = lines[0]!.replace(/^npx emobench /, 'emobench ');
          await s.background(recipe.background.name, line, recipe.background.ready, env);
          await recipe.check?.({ code: null, stdout: '', stderr: '', ms: 0 }, s);
          failed = false;
          return;
        }
        let last: Result = { code: 0, stdout: '', stderr: '', ms: 0 };
        const runOne = async (raw: string) => {
          const exported = /^export (\w+)=(.*)$/.exec(raw);
          if (exported) {
            s.env[exported[1]!] = exported[2]!;
            return;
          }
          const line = raw.replaceAll('npx emobench ', 'emobench ');
          last = await s.sh(line, env, recipe.inRepo ? ROOT : s.dir);
          timings.push(`${(last.ms / 1000).toFixed(1).padStart(6)} s  ${line}`);
          assert.equal(last.code, recipe.expect ?? 0, withGoodExit(last, line));
        };
        // A recipe's several lines (the four shards of a matrix) are independent: two at a time.
        for (let i = 0; i < lines.length; i += 2) await Promise.all(lines.slice(i, i + 2).map(runOne));
        s.made.set(recipe.readme, s.runDirs().filter((d) => !before.has(d)));
        await recipe.check?.(last, s);
        failed = false;
      });
      anyFailed ||= failed;
    }
    for (const name of [...s.servers.keys()]) await s.stop(name);
  } finally {
    s.killAll();
    t.diagnostic(`scratch project: ${s.dir}`);
    for (const line of timings) t.diagnostic(line);
  }
  assert.deepEqual([...listing('results'), '|', ...listing('reports')], repoOutputs, "the commands wrote into the repository's results/ or reports/");
  // Kept when a command failed, to look at what it left.
  if (!anyFailed) for (const d of [s.dir, s.shimDir]) rmSync(d, { recursive: true, force: true });
});
