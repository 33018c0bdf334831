import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { CONFIGS, type ConfigName, type EmotionReadout } from '../scratch/config.js';
import { UserError } from '../errors.js';
import { parseAugment } from '../train/augment.js';
import { trainBaseline } from '../train/baseline.js';
import { parseDataSpec } from '../train/data.js';
import { BEST_DIR, LOG_FILE, train, type TrainOptions } from '../train/loop.js';
import { outputOptions, printResult } from './shared.js';

/**
 * `emobench train`. Options have no yargs defaults on purpose: with --resume every setting comes
 * from the run's train-args.json, and a flag given beside --resume is refused rather than ignored.
 */
const DEFAULTS = {
  seed: 0,
  lr: 1e-3,
  'min-lr-ratio': 0.1,
  warmup: 100,
  epochs: 1,
  'batch-size': 32,
  'max-len': 64,
  'emotion-weight': 1,
  'lm-weight': 0.5,
  'clip-norm': 1,
  'weight-decay': 0.1,
  'checkpoint-every': 100,
  'eval-every': 0,
  'log-every': 10,
} as const;

type NumKey = keyof typeof DEFAULTS;
const ARGS_FILE = 'train-args.json';

interface StoredArgs {
  config: string;
  data: string[];
  dev: string[];
  tokenizer?: string;
  init?: string;
  augment?: string;
  steps?: number;
  /** Absent in runs started before the option existed, which trained the 'last' readout. */
  readout?: EmotionReadout;
  numbers: Record<NumKey, number>;
}

function builder(y: Argv) {
  return outputOptions(y, 'the result (steps, tokens/s, best dev scores, where the model is)')
    .option('kind', { choices: ['scratch', 'tfidf', 'nb'] as const, describe: 'what to train: the scratch transformer (default), or a tfidf / nb baseline on the same rows (load it with tfidf:<out> / nb:<out>)' })
    .option('config', { type: 'string', describe: `model config: ${Object.keys(CONFIGS).join(', ')}` })
    .option('data', { type: 'string', array: true, describe: 'training data, repeatable: emotion (the project train split), goemotions:<path>, xed:<path>, csv:<path>; append *N to repeat its rows N times per epoch' })
    .option('dev', { type: 'string', array: true, describe: 'extra dev set (dataset spec) scored at each evaluation, e.g. goemotions:dev.tsv' })
    .option('out', { type: 'string', describe: 'run directory: checkpoint, train.jsonl, curve.html and the final model (scratch:<out>)' })
    .option('resume', { type: 'string', describe: 'continue the run in this directory from its last checkpoint, with its original settings' })
    .option('tokenizer', { type: 'string', describe: 'use this tokenizer.json instead of training a BPE tokenizer on the training texts' })
    .option('init', { type: 'string', describe: 'start from the weights (and tokenizer) of this model directory, e.g. a first run\'s best/, to fine-tune' })
    .option('augment', { type: 'string', describe: 'comma-separated: polarity (joy↔sadness antonym-swapped copies), rebalance (oversample minority classes per language)' })
    .option('readout', { choices: ['mean', 'last'] as const, describe: "how a text's emotion is read from the per-position emotion vectors: mean (average over the text) or last (final token) (default mean)" })
    .option('seed', { type: 'number', describe: `seed for initial weights, data order and the dev holdout (default ${DEFAULTS.seed})` })
    .option('lr', { type: 'number', describe: `peak learning rate (default ${DEFAULTS.lr})` })
    .option('min-lr-ratio', { type: 'number', describe: `the cosine decays to lr × this (default ${DEFAULTS['min-lr-ratio']})` })
    .option('warmup', { type: 'number', describe: `linear warm-up steps (default ${DEFAULTS.warmup})` })
    .option('epochs', { type: 'number', describe: `passes over the training rows (default ${DEFAULTS.epochs})` })
    .option('steps', { type: 'number', describe: 'stop after this many updates instead (the schedule spans them)' })
    .option('batch', { alias: 'batch-size', type: 'number', describe: `batch size: rows per update (default ${DEFAULTS['batch-size']})` })
    .option('max-len', { type: 'number', describe: `longest training sequence in tokens; longer texts keep their end (default ${DEFAULTS['max-len']})` })
    .option('emotion-weight', { type: 'number', describe: `weight of the emotion cross-entropy (default ${DEFAULTS['emotion-weight']})` })
    .option('lm-weight', { type: 'number', describe: `weight of the next-token LM loss; 0 trains the emotion head only, much faster (default ${DEFAULTS['lm-weight']})` })
    .option('clip-norm', { type: 'number', describe: `clip the global gradient norm to this (default ${DEFAULTS['clip-norm']})` })
    .option('weight-decay', { type: 'number', describe: `AdamW decoupled weight decay on matrices (default ${DEFAULTS['weight-decay']})` })
    .option('checkpoint-every', { type: 'number', describe: `write the checkpoint every N steps (default ${DEFAULTS['checkpoint-every']})` })
    .option('eval-every', { type: 'number', describe: `also evaluate the dev sets every N steps; 0 = at each epoch's end only (default ${DEFAULTS['eval-every']})` })
    .option('log-every', { type: 'number', describe: `append a train.jsonl line every N steps (default ${DEFAULTS['log-every']})` })
    .example("$0 train --config small --data emotion*8 --data goemotions:train.tsv --out runs/small", 'train (quote *N in shells that glob)')
    .example('$0 train --resume runs/small', 'continue after a crash or kill, to the same final weights')
    .example("$0 train --kind tfidf --data emotion*8 --data goemotions:train.tsv --out models/tfidf-small", 'a tf-idf baseline on the same rows as the scratch run above')
    .example('$0 eval --suite emotion --model scratch:runs/small', 'evaluate the result');
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

export const trainCommand: CommandModule<object, Parsed> = {
  command: 'train',
  describe: 'Train the scratch model (joint LM + emotion objective) for scratch:<dir>, or a tfidf / nb baseline on the same rows (--kind)',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    if (a.kind !== undefined && a.kind !== 'scratch') return trainBaselineKind(a, a.kind);
    const resuming = a.resume !== undefined;
    const out = resolve(a.resume ?? a.out ?? '');
    const stored = resuming ? readStored(a, out) : fromFlags(a);
    const opts = toOptions(stored, out, resuming);
    if (!resuming) {
      if (existsSync(join(out, 'checkpoint.safetensors'))) throw new UserError(`${out} already holds a training run; continue it with --resume ${out} or pick another --out`);
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, ARGS_FILE), `${JSON.stringify(stored, null, 2)}\n`);
    }

    const tty = process.stderr.isTTY === true && !a.quiet;
    const say = (line: string) => {
      if (a.quiet) return;
      if (tty) process.stderr.write('\r'.padEnd(100) + '\r');
      process.stderr.write(`emobench train: ${line}\n`);
    };
    const controller = new AbortController();
    let received: NodeJS.Signals | undefined;
    const onSignal = (sig: NodeJS.Signals) => {
      if (received) process.exit(sig === 'SIGINT' ? 130 : 143);
      received = sig;
      say(`${sig}: writing a checkpoint after this step (again to quit now)`);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let lastDraw = 0;
    try {
      const r = await train(opts, {
        say,
        signal: controller.signal,
        onProgress: (p) => {
          const now = Date.now();
          if (!tty || (now - lastDraw < 200 && p.step < p.total)) return;
          lastDraw = now;
          const width = 24;
          const filled = Math.round((p.step / p.total) * width);
          const line = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${p.step}/${p.total} ep ${p.epoch + 1} loss ${p.loss.toFixed(3)} acc ${(p.accuracy * 100).toFixed(1)}% ${Math.round(p.tokensPerS)} tok/s`;
          process.stderr.write(`\r${line.padEnd(99)}`);
        },
      });
      if (tty) process.stderr.write('\r'.padEnd(100) + '\r');
      if (r.stopped) {
        say(`stopped at step ${r.steps}/${r.totalSteps}; continue with: emobench train --resume ${out}`);
        process.exit(received === 'SIGINT' ? 130 : 143);
      }
      const json = { kind: 'scratch', model: out, best: r.best && { ...r.best, model: join(out, BEST_DIR) }, steps: r.steps, params: r.params, tokens_seen: r.tokensSeen, tokens_per_s: r.tokensPerS, elapsed_s: r.elapsedS, last_dev: r.lastDev, log: join(out, LOG_FILE), curve: join(out, 'curve.html') };
      printResult(a, json, () => {
        const best = r.best ? `; best dev macro-F1 ${(r.best.score * 100).toFixed(1)} at step ${r.best.step} in ${join(out, BEST_DIR)}` : '';
        return (
          `trained ${r.params.toLocaleString('en-US')} parameters for ${r.steps} steps in ${r.elapsedS.toFixed(0)} s (${Math.round(r.tokensPerS)} tokens/s)${best}\n` +
          `model: ${out} (evaluate with --model scratch:${out}); log: ${join(out, LOG_FILE)}; curve: ${join(out, 'curve.html')}\n`
        );
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

/** Flags a baseline fit takes; every other training flag is the scratch model's and is refused. */
const BASELINE_FLAGS = new Set(['kind', 'data', 'dev', 'out', 'augment', 'seed', 'json', 'quiet']);

async function trainBaselineKind(a: Parsed, kind: 'tfidf' | 'nb'): Promise<void> {
  const scratchOnly = ['config', 'resume', 'tokenizer', 'init', 'readout', 'steps', ...Object.keys(DEFAULTS)].filter((k) => !BASELINE_FLAGS.has(k) && (a as unknown as Record<string, unknown>)[k] !== undefined);
  if (scratchOnly.length > 0) throw new UserError(`--kind ${kind} fits a classical baseline; --${scratchOnly.join(', --')} only apply to --kind scratch`);
  if (a.data === undefined || a.data.length === 0) throw new UserError('--data is required: emotion, goemotions:<path>, xed:<path> or csv:<path>');
  if (a.out === undefined || a.out.trim() === '') throw new UserError(`--out is required: the directory for ${kind}.json.gz`);
  const seed = a.seed === undefined ? DEFAULTS.seed : checkNumber('seed', a.seed);
  const out = resolve(a.out);
  const r = await trainBaseline({ kind, data: a.data.map(parseDataSpec), dev: a.dev ?? [], augment: parseAugment(a.augment), seed, out }, (line) => {
    if (!a.quiet) process.stderr.write(`emobench train: ${line}\n`);
  });
  printResult(a, { kind, model: r.path, rows: r.training.rows, seconds: r.seconds, fit: r.fit ?? null, dev: r.dev }, () => baselineText(kind, out, r));
}

function baselineText(kind: 'tfidf' | 'nb', out: string, r: Awaited<ReturnType<typeof trainBaseline>>): string {
  const fit = r.fit ? `; L-BFGS ${r.fit.iterations} iterations, ${r.fit.converged ? `converged (${r.fit.stop})` : `NOT converged (${r.fit.stop})`}, loss ${r.fit.loss.toFixed(4)}` : '';
  const dev = Object.entries(r.dev).map(([k, v]) => `${k} acc ${(v.accuracy * 100).toFixed(1)} F1 ${(v.macroF1 * 100).toFixed(1)}`).join(' · ');
  return `trained ${kind} on ${r.training.rows.toLocaleString('en-US')} rows in ${r.seconds.toFixed(0)} s${fit}\n` + (dev ? `dev: ${dev}\n` : '') + `model: ${r.path} (evaluate with --model ${kind}:${out})\n`;
}

const NUMERIC: Record<NumKey, 'int' | 'positive' | 'nonneg' | 'ratio'> = {
  seed: 'int',
  lr: 'positive',
  'min-lr-ratio': 'ratio',
  warmup: 'int',
  epochs: 'positive',
  'batch-size': 'int',
  'max-len': 'int',
  'emotion-weight': 'nonneg',
  'lm-weight': 'nonneg',
  'clip-norm': 'positive',
  'weight-decay': 'nonneg',
  'checkpoint-every': 'int',
  'eval-every': 'int',
  'log-every': 'int',
};

function fromFlags(a: Parsed): StoredArgs {
  if (a.config === undefined) throw new UserError(`--config is required (one of ${Object.keys(CONFIGS).join(', ')})`);
  if (!(a.config in CONFIGS)) throw new UserError(`--config: unknown config "${a.config}" (known: ${Object.keys(CONFIGS).join(', ')})`);
  if (a.data === undefined || a.data.length === 0) throw new UserError('--data is required: emotion, goemotions:<path>, xed:<path> or csv:<path>');
  if (a.out === undefined || a.out.trim() === '') throw new UserError('--out is required: the run directory (or --resume <dir>)');
  const numbers = {} as Record<NumKey, number>;
  for (const k of Object.keys(DEFAULTS) as NumKey[]) {
    const v = (a as unknown as Record<string, unknown>)[k];
    numbers[k] = v === undefined ? DEFAULTS[k] : checkNumber(k, v);
  }
  if (numbers['batch-size'] < 1) throw new UserError('--batch must be at least 1');
  if (numbers['max-len'] < 2) throw new UserError('--max-len must be at least 2 (BOS and one token)');
  if (numbers['checkpoint-every'] < 1 || numbers['log-every'] < 1) throw new UserError('--checkpoint-every and --log-every must be at least 1');
  if (numbers['emotion-weight'] + numbers['lm-weight'] === 0) throw new UserError('--emotion-weight and --lm-weight cannot both be 0');
  if (a.steps !== undefined && !(Number.isInteger(a.steps) && a.steps >= 1)) throw new UserError(`--steps must be a positive integer, got ${a.steps}`);
  if (a.tokenizer !== undefined && !existsSync(a.tokenizer)) throw new UserError(`--tokenizer ${a.tokenizer}: no such file`);
  if (a.init !== undefined && !existsSync(join(a.init, 'model.safetensors'))) throw new UserError(`--init ${a.init}: no model.safetensors there`);
  a.data.forEach(parseDataSpec);
  parseAugment(a.augment);
  return {
    config: a.config,
    data: a.data,
    dev: a.dev ?? [],
    ...(a.tokenizer !== undefined ? { tokenizer: resolve(a.tokenizer) } : {}),
    ...(a.init !== undefined ? { init: resolve(a.init) } : {}),
    ...(a.augment !== undefined ? { augment: a.augment } : {}),
    ...(a.steps !== undefined ? { steps: a.steps } : {}),
    readout: a.readout ?? 'mean',
    numbers,
  };
}

function checkNumber(k: NumKey, v: unknown): number {
  const n = Number(v);
  const kind = NUMERIC[k];
  const ok = Number.isFinite(n) && (kind === 'int' ? Number.isInteger(n) && n >= 0 : kind === 'positive' ? n > 0 : kind === 'nonneg' ? n >= 0 : n >= 0 && n <= 1);
  const want = { int: 'a non-negative integer', positive: 'a positive number', nonneg: 'a non-negative number', ratio: 'a number in [0, 1]' }[kind];
  if (!ok) throw new UserError(`--${k} must be ${want}, got ${String(v)}`);
  return n;
}

/** With --resume, the settings are the run's own; any other training flag is a mistake. */
function readStored(a: Parsed, out: string): StoredArgs {
  const given = ['config', 'data', 'dev', 'out', 'tokenizer', 'init', 'augment', 'steps', 'readout', ...Object.keys(DEFAULTS)].filter((k) => (a as unknown as Record<string, unknown>)[k] !== undefined);
  if (given.length > 0) throw new UserError(`--resume takes the run's settings from ${ARGS_FILE}; drop --${given.join(', --')}`);
  const file = join(out, ARGS_FILE);
  if (!existsSync(file)) throw new UserError(`--resume ${out}: no ${ARGS_FILE} there (not a directory written by emobench train)`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredArgs;
  } catch (e) {
    throw new UserError(`${file}: ${(e as Error).message}`);
  }
}

function toOptions(s: StoredArgs, out: string, resume: boolean): TrainOptions {
  const n = s.numbers;
  return {
    configName: s.config,
    config: { ...CONFIGS[s.config as ConfigName], emotionReadout: s.readout ?? 'last' },
    data: s.data.map(parseDataSpec),
    dev: s.dev,
    out,
    resume,
    ...(s.tokenizer !== undefined ? { tokenizer: s.tokenizer } : {}),
    ...(s.init !== undefined ? { init: s.init } : {}),
    augment: parseAugment(s.augment),
    seed: n.seed,
    lr: n.lr,
    minLrRatio: n['min-lr-ratio'],
    warmupSteps: n.warmup,
    epochs: n.epochs,
    ...(s.steps !== undefined ? { steps: s.steps } : {}),
    batchSize: n['batch-size'],
    maxLen: n['max-len'],
    emotionWeight: n['emotion-weight'],
    lmWeight: n['lm-weight'],
    clipNorm: n['clip-norm'],
    weightDecay: n['weight-decay'],
    checkpointEvery: n['checkpoint-every'],
    evalEvery: n['eval-every'],
    logEvery: n['log-every'],
  };
}
