/**
 * The training loop: data → tokenizer → seeded model → steps of the joint objective under AdamW,
 * with dev evaluation, atomic checkpoints, a JSONL log, and the final model directory.
 *
 * Objective, per batch:  loss = emotionWeight · CE(emotion head at the last position, label)
 *                              + lmWeight · mean next-token CE over the real tokens of the text.
 * The emotion term is what classification uses; the LM term makes every token a training signal
 * and keeps the blocks after the emotion layer (which classification never runs) useful for
 * generation. lmWeight 0 skips those blocks and the LM head entirely, which is several times faster.
 *
 * Determinism: the initial weights come from the seed, the batches of epoch e from (seed, e), and
 * nothing else is random, so a run resumed from a checkpoint replays exactly the same updates; on
 * one wasm thread the arithmetic is deterministic too, so the final weights are bitwise equal.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { countParams, type ModelConfig } from '../scratch/config.js';
import { ScratchModel } from '../scratch/scratch-model.js';
import { Tokenizer, trainBpe } from '../scratch/tokenizer.js';
import { readoutLogits } from '../scratch/readout.js';
import { forward, padBatch } from '../scratch/transformer.js';
import { loadWeights, weightEntries } from '../scratch/weights.js';
import { RuntimeFailure, UserError } from '../errors.js';
import { sha256, sha256File } from '../util/hash.js';
import { accuracy, macroF1 } from '../scoring/classification.js';
import { augment, type Augmentation } from './augment.js';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint, type LoopState } from './checkpoint.js';
import { writeCurve } from './curve.js';
import { epochBatches, loadTrainingData, type DataSpec, type Example } from './data.js';
import { AdamW, learningRate } from './optimizer.js';

export interface TrainOptions {
  configName: string;
  config: ModelConfig;
  data: DataSpec[];
  /** Extra dev sets (dataset specs) evaluated with the project's holdout. */
  dev: string[];
  out: string;
  /** Continue the run in `out` from its checkpoint. */
  resume: boolean;
  /** A tokenizer.json to use instead of training one on the training texts. */
  tokenizer?: string;
  /** Start from this model directory's weights and tokenizer (fine-tuning) instead of the seeded init. */
  init?: string;
  augment: Augmentation[];
  seed: number;
  lr: number;
  minLrRatio: number;
  warmupSteps: number;
  epochs: number;
  /** Overrides epochs: stop after this many updates (the cosine spans them). */
  steps?: number;
  batchSize: number;
  /** Longest training sequence in tokens (BOS included); longer texts keep their end, as classify does. */
  maxLen: number;
  emotionWeight: number;
  lmWeight: number;
  clipNorm: number;
  weightDecay: number;
  checkpointEvery: number;
  /** Dev evaluation every N steps as well as at each epoch's end (0: epochs only). */
  evalEvery: number;
  logEvery: number;
}

export interface Progress {
  step: number;
  total: number;
  epoch: number;
  loss: number;
  accuracy: number;
  tokensPerS: number;
}

export interface TrainHooks {
  onProgress?: (p: Progress) => void;
  /** One human-readable line (stderr). */
  say?: (line: string) => void;
  /** Abort: checkpoint after the current step and return. */
  signal?: AbortSignal;
}

export interface DevScore {
  n: number;
  accuracy: number;
  macroF1: number;
}

export interface TrainResult {
  steps: number;
  totalSteps: number;
  stopped: boolean;
  tokensSeen: number;
  elapsedS: number;
  tokensPerS: number;
  params: number;
  best: { score: number; step: number } | null;
  lastDev: Record<string, DevScore> | null;
}

export const LOG_FILE = 'train.jsonl';
export const BEST_DIR = 'best';

export async function train(o: TrainOptions, hooks: TrainHooks = {}): Promise<TrainResult> {
  const say = hooks.say ?? (() => undefined);
  if (o.resume && !hasCheckpoint(o.out)) throw new UserError(`--resume ${o.out}: no checkpoint.safetensors there`);
  if (!o.resume && hasCheckpoint(o.out)) throw new UserError(`${o.out} already holds a training run; continue it with --resume ${o.out} or pick another --out`);
  mkdirSync(o.out, { recursive: true });
  const logPath = join(o.out, LOG_FILE);
  const log = (event: Record<string, unknown>) => appendFileSync(logPath, `${JSON.stringify(event)}\n`);

  const data = await loadTrainingData(o.data, o.dev, o.seed);
  const examples = augment(data.train, o.augment, o.seed);
  const tokenizer = await obtainTokenizer(o, examples, say);
  const encoded = examples.map((e) => tokenizer.encode(e.text, { bos: true }).slice(-o.maxLen));
  const lengths = encoded.map((ids) => ids.length);
  const stepsPerEpoch = Math.ceil(examples.length / o.batchSize);
  const totalSteps = o.steps ?? Math.ceil(o.epochs * stepsPerEpoch);

  const plan = {
    config: o.configName,
    seed: o.seed,
    lr: o.lr,
    minLrRatio: o.minLrRatio,
    warmupSteps: o.warmupSteps,
    totalSteps,
    batchSize: o.batchSize,
    maxLen: o.maxLen,
    emotionWeight: o.emotionWeight,
    lmWeight: o.lmWeight,
    clipNorm: o.clipNorm,
    weightDecay: o.weightDecay,
    augment: o.augment.join(','),
    readout: o.config.emotionReadout ?? 'last',
    tokenizer: sha256(JSON.stringify(tokenizer.toJSON())),
    ...(o.init !== undefined ? { init: await sha256File(join(o.init, 'model.safetensors')) } : {}),
  };

  const model = await ScratchModel.random(o.config, o.seed, tokenizer);
  const params = new Map(weightEntries(model.weights));
  const opt = new AdamW(params, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: o.weightDecay, clipNorm: o.clipNorm });
  if (o.init !== undefined) {
    const init = await loadWeights(o.init);
    // The readout fixes no shape: fine-tuning may change it.
    const changed = (Object.keys(o.config) as (keyof ModelConfig)[]).filter((k) => k !== 'emotionReadout' && init.config[k] !== o.config[k]);
    if (changed.length > 0) throw new UserError(`--init ${o.init}: its config differs from --config ${o.configName} in ${changed.join(', ')}`);
    const initial = new Map(weightEntries(init.weights));
    for (const [name, v] of params) tf.tidy(() => v.assign(tf.tensor(initial.get(name)!, v.shape)));
  }
  let state: LoopState = { step: 0, config: o.config, plan, data: data.fingerprint, best: null, tokensSeen: 0, elapsedS: 0 };

  if (o.resume) {
    const ck = await loadCheckpoint(o.out);
    const now = plan as Record<string, unknown>;
    const changed = [...new Set([...Object.keys(plan), ...Object.keys(ck.state.plan)])].filter((k) => JSON.stringify(ck.state.plan[k]) !== JSON.stringify(now[k]));
    if (changed.length > 0) throw new UserError(`--resume ${o.out}: the run was started with different ${changed.map((k) => `${k} (${JSON.stringify(ck.state.plan[k])} then, ${JSON.stringify(plan[k as keyof typeof plan])} now)`).join(', ')}`);
    if (ck.state.data !== data.fingerprint) throw new UserError(`--resume ${o.out}: the training data changed since the run started`);
    for (const [name, v] of params) tf.tidy(() => v.assign(tf.tensor(ck.params.get(name)!, v.shape)));
    opt.load(ck);
    state = ck.state;
    log({ type: 'resume', step: state.step });
    say(`resuming at step ${state.step}/${totalSteps}`);
  } else {
    log({
      type: 'start',
      config: o.configName,
      params: countParams(o.config),
      plan,
      steps_per_epoch: stepsPerEpoch,
      train_rows: examples.length,
      data: data.counts,
      dev: Object.fromEntries([...data.dev].map(([k, v]) => [k, v.length])),
      tokenizer_vocab: tokenizer.vocabSize,
      train_tokens_per_epoch: lengths.reduce((a, b) => a + b, 0),
    });
    await checkpoint(); // step 0: a NaN in the very first steps still leaves a good checkpoint behind
  }

  async function checkpoint(): Promise<void> {
    const { m, v } = opt.state();
    const p = new Map([...params].map(([n, t]) => [n, t.dataSync() as Float32Array]));
    await saveCheckpoint(o.out, { state, params: p, m, v });
  }

  const varByName = new Map([...params].map(([n, v]) => [v.name, n]));
  const varList = [...params.values()];
  const E = o.config.nEmotions;
  let epochCache: { epoch: number; batches: number[][] } | undefined;
  let window = { loss: 0, correct: 0, rows: 0, steps: 0, tokens: 0, t0: performance.now() };
  let lastDev: Record<string, DevScore> | null = null;
  const sessionStart = performance.now();
  const elapsedBefore = state.elapsedS;
  const elapsed = () => elapsedBefore + (performance.now() - sessionStart) / 1000;
  let stopped = false;

  while (state.step < totalSteps) {
    if (hooks.signal?.aborted) {
      stopped = true;
      break;
    }
    const step = state.step;
    const epoch = Math.floor(step / stepsPerEpoch);
    if (epochCache?.epoch !== epoch) epochCache = { epoch, batches: epochBatches(lengths, o.batchSize, o.seed, epoch) };
    const rows = epochCache.batches[step % stepsPerEpoch]!;
    const input = padBatch(rows.map((i) => encoded[i]!), tokenizer.pad);
    const labels = rows.map((i) => examples[i]!.label);
    const realTokens = rows.reduce((a, i) => a + lengths[i]!, 0);

    let parts: { emo: tf.Tensor; lm: tf.Tensor | null; last: tf.Tensor } | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const r = objective(model, o, input, labels);
      parts = { emo: tf.keep(r.emo), lm: r.lm && tf.keep(r.lm), last: tf.keep(r.last) };
      return r.loss;
    }, varList);
    const named = new Map(Object.entries(grads).map(([k, g]) => [varByName.get(k)!, g]));
    const loss = value.dataSync()[0]!;
    const lr = learningRate(step, { lr: o.lr, warmupSteps: o.warmupSteps, totalSteps, minLrRatio: o.minLrRatio });
    const res = Number.isFinite(loss) ? opt.step(named, lr, step + 1) : { gradNorm: NaN, applied: false };
    const emoLoss = parts!.emo.dataSync()[0]!;
    const lmLoss = parts!.lm ? parts!.lm.dataSync()[0]! : null;
    const lastProbs = parts!.last.dataSync();
    tf.dispose([value, ...Object.values(grads), parts!.emo, parts!.last, ...(parts!.lm ? [parts!.lm] : [])]);

    if (!res.applied) {
      const what = Number.isFinite(loss) ? `gradient norm ${res.gradNorm}` : `loss ${loss}`;
      log({ type: 'nonfinite', step: step + 1, loss, grad_norm: res.gradNorm, last_good_checkpoint_step: lastCheckpointStep(logPath) });
      throw new RuntimeFailure(
        `training diverged at step ${step + 1}: ${what} is not finite (the update was not applied). ` +
          `The last good checkpoint is ${join(o.out, 'checkpoint.safetensors')} (step ${lastCheckpointStep(logPath)}); ` +
          `lower --lr (now ${o.lr}) or --clip-norm (now ${o.clipNorm}) and start again.`,
      );
    }

    labels.forEach((y, b) => {
      const p = lastProbs.subarray(b * E, (b + 1) * E);
      if (argmax(p) === y) window.correct++;
    });
    window.loss += loss;
    window.rows += labels.length;
    window.steps++;
    window.tokens += realTokens;
    state = { ...state, step: step + 1, tokensSeen: state.tokensSeen + realTokens };

    const now = performance.now();
    hooks.onProgress?.({ step: state.step, total: totalSteps, epoch, loss, accuracy: window.correct / window.rows, tokensPerS: window.tokens / ((now - window.t0) / 1000) });
    if (state.step % o.logEvery === 0 || state.step === totalSteps) {
      log({
        type: 'train',
        step: state.step,
        epoch: +(state.step / stepsPerEpoch).toFixed(4),
        loss: window.loss / window.steps,
        emotion_loss: emoLoss,
        lm_loss: lmLoss,
        accuracy: window.correct / window.rows,
        lr,
        grad_norm: res.gradNorm,
        tokens_per_s: window.tokens / ((now - window.t0) / 1000),
        tokens_seen: state.tokensSeen,
        elapsed_s: +elapsed().toFixed(2),
        tensors: tf.memory().numTensors,
      });
      window = { loss: 0, correct: 0, rows: 0, steps: 0, tokens: 0, t0: now };
    }

    const epochEnd = state.step % stepsPerEpoch === 0;
    if (epochEnd || state.step === totalSteps || (o.evalEvery > 0 && state.step % o.evalEvery === 0)) {
      lastDev = await evaluateDev(model, data.dev);
      const score = selectionScore(lastDev);
      const improved = score !== null && (state.best === null || score > state.best.score);
      if (improved) {
        state = { ...state, best: { score, step: state.step } };
        await saveModelDir(model, join(o.out, BEST_DIR));
      }
      log({ type: 'dev', step: state.step, epoch: +(state.step / stepsPerEpoch).toFixed(4), sets: lastDev, score, best: improved });
      say(`dev @ step ${state.step}: ${Object.entries(lastDev).map(([k, v]) => `${k} acc ${(v.accuracy * 100).toFixed(1)} F1 ${(v.macroF1 * 100).toFixed(1)}`).join(' · ')}${improved ? ' (best)' : ''}`);
    }
    if (state.step % o.checkpointEvery === 0 || state.step === totalSteps) {
      state = { ...state, elapsedS: elapsed() };
      await checkpoint();
      log({ type: 'checkpoint', step: state.step });
    }
    // Let signals and the event loop through between steps.
    await new Promise((r) => setImmediate(r));
  }

  if (stopped) {
    state = { ...state, elapsedS: elapsed() };
    await checkpoint();
    log({ type: 'checkpoint', step: state.step, reason: 'signal' });
  } else {
    await saveModelDir(model, o.out);
    writeCurve(logPath, join(o.out, 'curve.html'));
  }
  const total = elapsed();
  const result: TrainResult = {
    steps: state.step,
    totalSteps,
    stopped,
    tokensSeen: state.tokensSeen,
    elapsedS: total,
    tokensPerS: state.tokensSeen / Math.max(1e-9, total),
    params: countParams(o.config),
    best: state.best,
    lastDev,
  };
  if (!stopped) log({ type: 'end', ...result });
  opt.dispose();
  model.dispose();
  return result;
}

/** Losses and each text's emotion probabilities (the model's readout); call inside variableGrads. */
function objective(model: ScratchModel, o: TrainOptions, input: ReturnType<typeof padBatch>, labels: number[]) {
  const cfg = model.config;
  const { batch: B, seqLen: T } = input;
  const E = cfg.nEmotions;
  const withLm = o.lmWeight > 0;
  const r = forward(model.weights, cfg, input, { bias: true, logits: withLm ? 'all' : 'none', untilEmotion: !withLm });
  const textLogits = readoutLogits(r.emotionLogits, input.pad, cfg.emotionReadout ?? 'last');
  const yE = tf.oneHot(tf.tensor1d(labels, 'int32'), E);
  const emo = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(textLogits), yE), 1)));
  let loss = tf.mul(emo, o.emotionWeight);
  let lm: tf.Tensor | null = null;
  if (withLm && r.logits) {
    // Slot t predicts slot t+1, for real tokens only (t ≥ pad); the mean is over those targets.
    const targets = new Int32Array(B * T);
    const weight = new Float32Array(B * T);
    let count = 0;
    for (let b = 0; b < B; b++) {
      for (let t = input.pad[b]!; t < T - 1; t++) {
        targets[b * T + t] = input.ids[b * T + t + 1]!;
        weight[b * T + t] = 1;
        count++;
      }
    }
    const V = cfg.vocabSize;
    const logp = tf.logSoftmax(tf.reshape(r.logits, [B * T, V]));
    const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(targets, 'int32'), V)), 1);
    lm = tf.div(tf.neg(tf.sum(tf.mul(picked, tf.tensor1d(weight)))), Math.max(1, count));
    loss = tf.add(loss, tf.mul(lm, o.lmWeight));
  }
  return { loss: loss as tf.Scalar, emo, lm, last: tf.softmax(textLogits) };
}

async function obtainTokenizer(o: TrainOptions, examples: readonly Example[], say: (s: string) => void): Promise<Tokenizer> {
  const path = join(o.out, 'tokenizer.json');
  let tok: Tokenizer;
  if (o.resume) tok = await Tokenizer.load(path);
  else if (o.tokenizer !== undefined) tok = await Tokenizer.load(o.tokenizer);
  else if (o.init !== undefined) tok = await Tokenizer.load(join(o.init, 'tokenizer.json'));
  else {
    say(`training the tokenizer (BPE, ${o.config.vocabSize} tokens) on ${examples.length} texts…`);
    tok = trainBpe(examples.map((e) => e.text), o.config.vocabSize);
  }
  if (tok.vocabSize > o.config.vocabSize) throw new UserError(`tokenizer has ${tok.vocabSize} tokens but config ${o.configName} only ${o.config.vocabSize}`);
  if (!o.resume) {
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(tok.toJSON())}\n`);
    renameSync(tmp, path);
  }
  return tok;
}

/** config.json, tokenizer.json, model.safetensors (F16), written beside and renamed into place. */
async function saveModelDir(model: ScratchModel, dir: string): Promise<void> {
  const tmp = join(dir, '.saving');
  rmSync(tmp, { recursive: true, force: true });
  await model.save(tmp, { dtype: 'F16' });
  for (const f of ['config.json', 'tokenizer.json', 'model.safetensors']) renameSync(join(tmp, f), join(dir, f));
  rmSync(tmp, { recursive: true, force: true });
}

export async function evaluateDev(model: ScratchModel, dev: ReadonlyMap<string, Example[]>): Promise<Record<string, DevScore>> {
  const out: Record<string, DevScore> = {};
  for (const [name, rows] of dev) {
    const probs = await model.classifyBatch(rows.map((r) => r.text), { batchSize: 32 });
    const pred = probs.map(argmax);
    out[name] = { n: rows.length, ...scores(rows.map((r) => r.label), pred) };
  }
  return out;
}

/** Accuracy and macro-F1 (src/scoring's, over the classes present in the gold labels) of class indices. */
export function scores(gold: readonly number[], pred: readonly number[]): { accuracy: number; macroF1: number } {
  const preds = gold.map((g, i) => ({ gold: String(g), pred: String(pred[i]) }));
  const labels = [...new Set(gold)].map(String);
  const orZero = (x: number) => (Number.isNaN(x) ? 0 : x);
  return { accuracy: orZero(accuracy(preds)), macroF1: orZero(macroF1(preds, labels)) };
}

/** Model selection: mean macro-F1 over the project's holdout sets, else over all dev sets. */
function selectionScore(dev: Record<string, DevScore>): number | null {
  const names = Object.keys(dev);
  const own = names.filter((n) => n.startsWith('emotion-dev-'));
  const use = own.length > 0 ? own : names;
  if (use.length === 0) return null;
  return use.reduce((a, n) => a + dev[n]!.macroF1, 0) / use.length;
}

function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return best;
}

function lastCheckpointStep(logPath: string): number {
  if (!existsSync(logPath)) return 0;
  let step = 0;
  for (const line of readFileSync(logPath, 'utf8').split('\n')) {
    if (line.includes('"type":"checkpoint"')) step = (JSON.parse(line) as { step: number }).step;
  }
  return step;
}
